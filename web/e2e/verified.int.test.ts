// Verified queries and feedback in the web app, end to end in Debian's Chromium over `analyst
// serve` on a real Synthea workspace: an analyst saves an answer as verified (the file appears in
// the workspace's model folder), a paraphrase is answered from it and says so, a clinician cannot
// save, and thumbs down with a comment reaches the admin's feedback list.
import { readdirSync, readFileSync } from 'node:fs';
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
  ws = await syntheaWorkspace('web-verified-e2e');
  server = await serve(ws.dir);
  browser = await launch();
}, 180_000);

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

async function ask(page: Page, text: string) {
  const before = await page.locator('article.answer').count();
  const question = page.getByRole('textbox', { name: 'Question' });
  await question.fill(text);
  await question.press('Enter');
  await expect.poll(() => page.locator('article.answer').count()).toBe(before + 1);
  const answer = page.locator('article.answer').last();
  await answer.locator('.answer-text').waitFor();
  await answer.locator('.tools').waitFor();
  return answer;
}

async function token(user: string): Promise<string> {
  const res = await fetch(`${server.url}/v1/dev/token`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ user }),
  });
  return ((await res.json()) as { token: string }).token;
}

describe('verified queries and feedback in the web app', () => {
  it('saves an answer as verified, reuses it for a paraphrase, and takes thumbs down with a comment', async () => {
    const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    const watch = watchPage(page);
    await signIn(page, 'analyst');
    const first = await ask(page, 'Encounters by class');
    await first.getByRole('button', { name: 'Save as verified' }).click();
    const saved = first.getByRole('status');
    await saved.waitFor();
    expect(await saved.textContent()).toMatch(
      /Saved as verified \(verified_queries\/encounters-class\.yaml\)/,
    );
    const dir = join(ws.dir, 'model', 'verified_queries');
    expect(readdirSync(dir)).toEqual(['encounters-class.yaml']);
    const file = readFileSync(join(dir, 'encounters-class.yaml'), 'utf8');
    expect(file).toContain('question: Encounters by class');
    expect(file).toContain('author: analyst');
    await screenshot(page, 'verified-01-saved');

    const second = await ask(page, 'number of encounters for each class');
    await second.locator('.note.verified').waitFor();
    expect(await second.locator('.note.verified').textContent()).toContain('Verified by analyst on');
    expect(await second.locator('.answer-text').textContent()).toContain(
      'From the verified query "Encounters by class"',
    );
    // An answer that came from a verified query is not offered for saving again.
    expect(await second.getByRole('button', { name: 'Save as verified' }).count()).toBe(0);

    await second.getByRole('button', { name: 'Not helpful' }).click();
    await second
      .getByRole('textbox', { name: 'Comment (optional)' })
      .fill('I wanted patients, not encounters');
    await second.getByRole('button', { name: 'Send feedback' }).click();
    await second.getByText('Thanks: your feedback was recorded.').waitFor();
    await screenshot(page, 'verified-02-feedback');
    expect(watch.errors).toEqual([]);

    const list = await fetch(`${server.url}/v1/feedback`, {
      headers: { Authorization: `Bearer ${await token('admin')}` },
    });
    expect(list.status).toBe(200);
    const { feedback } = (await list.json()) as {
      feedback: Array<{ rating: string; comment: string; userId: string; turnId: string | null }>;
    };
    expect(feedback).toHaveLength(1);
    expect(feedback[0]).toMatchObject({
      rating: 'down',
      comment: 'I wanted patients, not encounters',
      userId: 'analyst',
    });
    expect(feedback[0]?.turnId).toBeTruthy();
    const forbidden = await fetch(`${server.url}/v1/feedback`, {
      headers: { Authorization: `Bearer ${await token('analyst')}` },
    });
    expect(forbidden.status).toBe(403);
    await page.close();
  });

  it('offers no "Save as verified" to a clinician, and the API refuses them', async () => {
    const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
    await signIn(page, 'clinician');
    const answer = await ask(page, 'Encounters by class');
    expect(await answer.getByRole('button', { name: 'Save as verified' }).count()).toBe(0);
    expect(await answer.getByRole('button', { name: 'Helpful', exact: true }).count()).toBe(1);
    const res = await fetch(`${server.url}/v1/verified-queries`, {
      method: 'POST',
      headers: { Authorization: `Bearer ${await token('clinician')}`, 'Content-Type': 'application/json' },
      body: JSON.stringify({ question: 'Encounters by payer', query: { measures: ['encounters.count'] } }),
    });
    expect(res.status).toBe(403);
    await page.close();
  });
});
