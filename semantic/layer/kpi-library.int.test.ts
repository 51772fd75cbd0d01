// The KPI library of the bundled Synthea model: each KPI through the semantic layer equals SQL
// written by hand from its stated definition, on the shared fixture and on 1,000 demo patients.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateSyntheaDemo, syncConnector, syntheaConnector } from '../../connectors/index.ts';
import { generateKey, Lakehouse, staticKeyProvider } from '../../lakehouse/index.ts';
import {
  contextFor,
  createCsvFixtureLake,
  type FixtureLake,
  KPI_CASES,
  SYNTHEA_CSV_DIR,
  SYNTHEA_MODEL_DIR,
} from '../testing/index.ts';
import { SemanticLayer } from './semantic-layer.ts';

const admin = contextFor('admin');

function plain(v: unknown): unknown {
  if (typeof v === 'bigint') return Number(v);
  if (v !== null && typeof v === 'object') return Number(String(v));
  return v;
}

/** Rows of a layer answer, without Cube's plain-named copy of a granular time dimension. */
async function layerRows(layer: SemanticLayer, query: Record<string, unknown>): Promise<unknown[][]> {
  const res = await layer.load(query, admin);
  const a = res.annotation;
  const shown = (k: string) => k in a.measures || k in a.dimensions || a.timeDimensions[k]?.granularity;
  return res.data.map((r) =>
    Object.keys(r)
      .filter(shown)
      .map((k) => plain(r[k])),
  );
}

function expectSameRows(got: unknown[][], want: unknown[][], name: string): void {
  expect(got.length, name).toBe(want.length);
  got.forEach((row, i) => {
    row.forEach((v, j) => {
      const w = plain(want[i]?.[j]);
      if (typeof v === 'number' && typeof w === 'number')
        expect(Math.abs(v - w), `${name} row ${i} col ${j}: ${v} vs ${w}`).toBeLessThanOrEqual(
          1e-9 * Math.max(1, Math.abs(w)),
        );
      else expect(v, `${name} row ${i} col ${j}`).toEqual(w);
    });
  });
}

function suite(label: string, open: () => Promise<FixtureLake>) {
  describe(`KPI library on ${label}`, () => {
    let fx: FixtureLake;
    let layer: SemanticLayer;
    beforeAll(async () => {
      fx = await open();
      layer = await SemanticLayer.load({ modelDir: SYNTHEA_MODEL_DIR, lake: fx.lake });
    }, 180_000);
    afterAll(async () => {
      await fx?.close();
    });

    for (const c of KPI_CASES) {
      it(c.name, async () => {
        const want = (await fx.lake.query(c.sql)).rows;
        expect(want.length, 'the hand-written SQL finds rows').toBeGreaterThan(0);
        // Not a vacuous comparison: some KPI value is a number other than zero.
        expect(want.some((r) => r.some((v) => typeof plain(v) === 'number' && plain(v) !== 0))).toBe(true);
        expectSameRows(await layerRows(layer, c.query), want, c.name);
      });
    }

    it('every KPI has a title and a description stating its definition', () => {
      const kpis = [...layer.model.cubes.values()].flatMap((c) =>
        [...c.measures.values()].filter((m) => m.meta?.kpi === true),
      );
      expect(kpis.length).toBeGreaterThanOrEqual(11);
      for (const m of kpis) {
        expect(m.title, m.name).not.toBe('');
        expect(m.description?.length ?? 0, m.name).toBeGreaterThan(30);
      }
    });
  });
}

suite('the Synthea fixture', () => createCsvFixtureLake(SYNTHEA_CSV_DIR));
suite('1,000 demo patients', async () => {
  // Demo data as `analyst init --demo` makes it: generated CSV files synced by the Synthea connector.
  const dir = await mkdtemp(join(tmpdir(), 'kpi-demo-'));
  const csv = join(dir, 'csv');
  let lake: Lakehouse | undefined;
  try {
    await generateSyntheaDemo({ dir: csv, patients: 1000, seed: 16 });
    lake = await Lakehouse.open({
      catalog: { type: 'duckdb', path: join(dir, 'catalog.ducklake') },
      dataPath: join(dir, 'data'),
      key: staticKeyProvider(generateKey()),
      create: true,
      readConnections: 2,
      sandbox: { readDirectories: [csv] },
    });
    const run = await syncConnector(
      { name: 'synthea', type: 'synthea', options: { path: csv }, mode: 'full_refresh', on_reject: 'skip' },
      {
        lake,
        connectors: new Map([['synthea', syntheaConnector]]),
        resolveSecret: (ref) => ref,
        requireSecretReferences: false,
        author: 'kpi-test',
      },
    );
    expect(run.streams.filter((r) => r.status !== 'ok')).toEqual([]);
    const opened = lake;
    return {
      lake: opened,
      dir,
      close: async () => {
        await opened.close();
        await rm(dir, { recursive: true, force: true });
      },
    };
  } catch (err) {
    await lake?.close();
    await rm(dir, { recursive: true, force: true });
    throw err;
  }
});
