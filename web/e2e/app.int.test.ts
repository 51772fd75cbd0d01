// The web app end to end in Debian's Chromium: sign in, ask, see the chart; the bundled
// dashboard with a filter changed, a drill-down and a CSV export; a chat answer added to a
// dashboard. Screenshots go to test-artifacts/web/.
import { appendFileSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildWeb } from '../../scripts/build-web.mjs';
import { launch, screenshot, serve, syntheaWorkspace, watchPage } from './harness.ts';

let ws: Awaited<ReturnType<typeof syntheaWorkspace>>;
let server: Awaited<ReturnType<typeof serve>>;
let browser: Browser;

beforeAll(async () => {
  await buildWeb();
  ws = await syntheaWorkspace('web-app-e2e');
  // A researcher (small-cell suppression, K = 11 in the bundled model) beside the default users.
  appendFileSync(
    join(ws.dir, 'users.yaml'),
    '  - { id: researcher, name: Researcher, roles: [researcher], attributes: {} }\n',
  );
  server = await serve(ws.dir);
  browser = await launch();
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await server?.stop();
  ws?.remove();
});

async function signIn(page: Page, user: string): Promise<void> {
  await page.goto(`${server.url}/app/`);
  await page.getByLabel('Development user (users.yaml)').selectOption(user);
  await page.getByRole('button', { name: 'Sign in', exact: true }).click();
  await page.getByRole('textbox', { name: 'Question' }).waitFor();
}

async function cspViolations(page: Page): Promise<string[]> {
  return page.evaluate<string[]>("window.__cspViolations ?? ['not watched']");
}

describe('web app', () => {
  it('signs in with the dev form, streams an answer and draws its chart under the strict CSP', async () => {
    const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
    const watch = watchPage(page);
    await page.goto(`${server.url}/app/`);
    await page.getByRole('heading', { name: 'Sign in to Private Analyst' }).waitFor();
    await screenshot(page, '01-sign-in');
    // Keyboard only: the user list has focus; Tab to the button and press Enter.
    await page.keyboard.press('Tab');
    await expect.poll(() => page.evaluate<string>('document.activeElement?.textContent')).toBe('Sign in');
    await page.keyboard.press('Enter');
    const question = page.getByRole('textbox', { name: 'Question' });
    await question.waitFor();
    expect(await page.locator('.topbar .who').textContent()).toContain('admin');

    await question.fill('Encounters per year');
    await question.press('Enter');
    const answer = page.locator('article.answer').last();
    // The agent's steps stream in before the answer.
    await answer.locator('.steps li').first().waitFor();
    const line = answer.locator('.chart svg .mark-line path');
    await line.waitFor();
    // A drawn line, not an empty frame: its path has many segments.
    expect(((await line.getAttribute('d')) ?? '').split(/[LM]/).length).toBeGreaterThan(20);
    await expect.poll(() => answer.locator('.chart svg .mark-symbol path').count()).toBeGreaterThan(20);
    await screenshot(page, '02-chat-chart');

    await answer.getByRole('button', { name: 'Show query' }).click();
    expect(await answer.locator('.query pre').first().textContent()).toContain('encounters.count');
    await answer.getByRole('button', { name: 'Show table' }).click();
    expect(await answer.locator('table.data tbody tr').count()).toBeGreaterThan(20);

    // A follow-up that needs a choice: the options are buttons; clicking one answers.
    await question.fill('show me the costs');
    await question.press('Enter');
    const clarify = page.locator('article.answer').last();
    const option = clarify.getByRole('group', { name: 'Did you mean' }).getByRole('button').first();
    await option.waitFor();
    await option.click();
    await expect.poll(() => page.locator('article.answer').count()).toBe(3);
    await page.locator('article.answer').last().locator('.answer-text').waitFor();
    await expect.poll(() => page.locator('article.answer').last().getAttribute('aria-busy')).toBeNull();
    expect(await page.locator('.history a').count()).toBe(1);
    expect(page.url()).toMatch(/#\/chat\/[\w-]+$/);
    await screenshot(page, '03-chat-clarify');

    expect(await cspViolations(page)).toEqual([]);
    expect(watch.errors).toEqual([]);
    await page.close();
  });

  it('shows a researcher the suppressed cells of a chat answer as "< 11", and says so', async () => {
    const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
    const watch = watchPage(page);
    await signIn(page, 'researcher');
    const question = page.getByRole('textbox', { name: 'Question' });
    await question.fill('Number of patients by race');
    await question.press('Enter');
    const answer = page.locator('article.answer').last();
    await answer.locator('.answer-text').waitFor();
    await expect.poll(() => answer.getAttribute('aria-busy')).toBeNull();
    const text = (await answer.locator('.answer-text').textContent()) ?? '';
    expect(text).toContain('suppressed');
    expect(text).toContain('fewer than 11');
    const show = answer.getByRole('button', { name: 'Show table' });
    if (await show.count()) await show.click();
    const counts = await answer.locator('table.data tbody tr td:nth-child(2)').allTextContents();
    // Primary and complementary: at least two withheld cells, the rest numbers; none blank.
    expect(counts.filter((t) => t === '< 11').length).toBeGreaterThanOrEqual(2);
    for (const t of counts.filter((t) => t !== '< 11')) expect(t).toMatch(/^\d[\d,]*$/);
    await screenshot(page, '03b-chat-suppressed');
    expect(await cspViolations(page)).toEqual([]);
    expect(watch.errors).toEqual([]);
    await page.close();
  });

  it('opens the bundled Synthea dashboard, narrows it with a filter, drills into rows and exports CSV', async () => {
    const page = await browser.newPage({ viewport: { width: 1280, height: 800 }, acceptDownloads: true });
    const watch = watchPage(page);
    await signIn(page, 'analyst');
    await page.getByRole('link', { name: 'Dashboards' }).click();
    await page.getByRole('link', { name: /Synthea overview/ }).click();
    const patients = page.locator('[data-tile="patients-seen"] .big-number');
    await patients.waitFor();
    const before = Number((await patients.textContent())?.replace(/\D/g, ''));
    expect(before).toBeGreaterThan(50);
    await page.locator('[data-tile="encounters-per-year"] svg .mark-line path').waitFor();
    await page.locator('[data-tile="cost-by-payer"] svg .mark-rect path').first().waitFor();
    await screenshot(page, '04-dashboard');

    // Choose a payer: every tile reloads with it.
    const payer = page.getByLabel('Payer', { exact: true });
    await expect.poll(() => payer.locator('option').count()).toBeGreaterThan(3);
    const reloaded = page.waitForResponse(
      (r) =>
        r.url().endsWith('/tiles/patients-seen/data') && (r.request().postData() ?? '').includes('Medicaid'),
    );
    const [response] = await Promise.all([reloaded, payer.selectOption('Medicaid')]);
    expect(response.status()).toBe(200);
    await expect
      .poll(async () => Number((await patients.textContent())?.replace(/\D/g, '')))
      .toBeLessThan(before);
    await expect.poll(() => page.locator('[aria-busy="true"]').count()).toBe(0);
    await screenshot(page, '05-dashboard-filtered');

    // Drill into the rows behind a tile, in a dialog that Escape closes.
    await page.getByRole('button', { name: 'Rows behind Encounters by class' }).click();
    const dialog = page.getByRole('dialog');
    await dialog.locator('table.data tbody tr').first().waitFor();
    expect(await dialog.locator('thead th').allTextContents()).toEqual([
      'Start',
      'Encounter Class',
      'Description',
      'Total Claim Cost',
    ]);
    await screenshot(page, '06-drill');
    await page.keyboard.press('Escape');
    await expect.poll(() => page.getByRole('dialog').count()).toBe(0);

    const download = page.waitForEvent('download');
    await page.getByRole('button', { name: 'Download Encounters by class as CSV' }).click();
    const file = await (await download).path();
    const csv = readFileSync(file, 'utf8').split('\r\n');
    expect(csv[0]).toBe('encounters.encounterclass,encounters.count');
    expect(csv.length).toBeGreaterThan(3);

    expect(await cspViolations(page)).toEqual([]);
    expect(watch.errors).toEqual([]);
    await page.close();
  });

  it('adds a chat answer to a new dashboard in the workspace, and shows the model the user may see', async () => {
    const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
    await signIn(page, 'analyst');
    const question = page.getByRole('textbox', { name: 'Question' });
    await question.fill('Patients by gender');
    await question.press('Enter');
    const answer = page.locator('article.answer').last();
    await answer.locator('.chart svg .mark-rect path').first().waitFor();
    await answer.getByRole('button', { name: 'Add to dashboard' }).click();
    const dialog = page.getByRole('dialog', { name: 'Add to dashboard' });
    await dialog.getByLabel('Dashboard', { exact: true }).selectOption('__new');
    await dialog.getByLabel('New dashboard').fill('Team metrics');
    await dialog.getByLabel('Tile title').fill('Patients by gender');
    await dialog.getByRole('button', { name: 'Add tile' }).click();
    await dialog.getByRole('link', { name: 'Open the dashboard' }).click();
    await page.locator('[data-tile="patients-by-gender"] svg .mark-rect path').first().waitFor();
    const saved = readFileSync(join(ws.dir, 'dashboards', 'team-metrics.yaml'), 'utf8');
    expect(saved).toContain('title: Patients by gender');
    expect(saved).toContain('patients.gender');
    await screenshot(page, '07-added-tile');

    await page.getByRole('link', { name: 'Model' }).click();
    await page.getByRole('searchbox', { name: 'Search the model' }).fill('readmission');
    await expect.poll(() => page.locator('.cube').count()).toBeGreaterThan(0);
    expect(await page.locator('.model-list').textContent()).toContain('30-Day Readmission Rate');
    await screenshot(page, '08-model');
    await page.close();
  });
});
