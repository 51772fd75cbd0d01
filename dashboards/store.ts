import { randomBytes } from 'node:crypto';
import { copyFile, mkdir, readdir, readFile, rename, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { parseDocument } from 'yaml';
import type { z } from 'zod';
import { DashboardError } from './errors.ts';
import {
  type Dashboard,
  dashboardFileSchema,
  idSchema,
  type Tile,
  type TileInput,
  tileSchema,
} from './schema.ts';

/** Dashboards shipped with the package (copied into workspaces by presets). */
export const BUNDLED_DASHBOARDS_DIR = resolve(import.meta.dirname, 'bundled');

/** What a list shows: enough to pick one, plus why a file could not be read. */
export interface DashboardSummary {
  id: string;
  title: string;
  description?: string | undefined;
  tiles: number;
  problem?: string;
}

/** A new tile as "add to dashboard" sends it: no id or position needed. */
export type NewTile = Omit<TileInput, 'id' | 'position'> & Partial<Pick<TileInput, 'id' | 'position'>>;

/**
 * Dashboards as code: `dashboards/<id>.yaml` files in a workspace, validated on every read (so an
 * edit in a text editor shows up on the next request), written atomically with comments kept.
 *
 * @example const store = new DashboardStore('/ws/dashboards'); const d = await store.get('synthea');
 */
export class DashboardStore {
  #writes: Promise<unknown> = Promise.resolve();

  constructor(readonly dir: string) {}

  async list(): Promise<DashboardSummary[]> {
    const files = await readdir(this.dir).catch((err: NodeJS.ErrnoException) => {
      if (err.code === 'ENOENT') return [] as string[];
      throw err;
    });
    const ids = [...new Set(files.map((f) => /^(.+)\.ya?ml$/.exec(f)?.[1]).filter(isId))].sort();
    const out: DashboardSummary[] = [];
    for (const id of ids) {
      try {
        const d = await this.get(id);
        out.push({ id, title: d.title, description: d.description, tiles: d.tiles.length });
      } catch (err) {
        out.push({ id, title: id, tiles: 0, problem: (err as Error).message });
      }
    }
    return out;
  }

  async get(id: string): Promise<Dashboard> {
    const { text } = await this.#read(id);
    return { id, ...parseDashboard(id, text) };
  }

  /** A new, empty dashboard; DASHBOARD_EXISTS when the id is taken. */
  async create(id: string, title: string, description?: string): Promise<Dashboard> {
    checkId(id);
    const file = dashboardFileSchema.parse({ title, description, filters: [], tiles: [] });
    return this.#serial(async () => {
      if (await this.#exists(id))
        throw new DashboardError('DASHBOARD_EXISTS', `Dashboard "${id}" already exists.`);
      await this.#write(
        id,
        `# Dashboard as code: edit freely; the app rereads it on every request.\n${toYaml(file)}`,
      );
      return { id, ...file };
    });
  }

  /** Append a tile (placed below the others unless positioned), keeping the file's comments. */
  async addTile(id: string, input: NewTile): Promise<Tile> {
    return this.#serial(async () => {
      const { text, path } = await this.#read(id);
      const current = parseDashboard(id, text);
      const tileId = input.id ?? uniqueTileId(input.title, current.tiles);
      if (current.tiles.some((t) => t.id === tileId))
        throw new DashboardError('DASHBOARD_INVALID', `Dashboard "${id}" already has a tile "${tileId}".`);
      const bottom = current.tiles.reduce((y, t) => Math.max(y, t.position.y + t.position.h), 0);
      const parsed = tileSchema.safeParse({
        ...input,
        id: tileId,
        position: input.position ?? { x: 0, y: bottom, w: 6, h: 4 },
      });
      if (!parsed.success) throw invalid(id, parsed.error);
      const doc = parseDocument(text);
      if (!doc.has('tiles')) doc.set('tiles', []);
      doc.addIn(['tiles'], doc.createNode(stripDefaults(parsed.data)));
      const next = doc.toString();
      parseDashboard(id, next);
      await this.#write(id, next, path);
      return parsed.data;
    });
  }

  async #exists(id: string): Promise<boolean> {
    return this.#read(id).then(
      () => true,
      () => false,
    );
  }

  async #read(id: string): Promise<{ text: string; path: string }> {
    checkId(id);
    for (const ext of ['yaml', 'yml']) {
      const path = join(this.dir, `${id}.${ext}`);
      const text = await readFile(path, 'utf8').catch((err: NodeJS.ErrnoException) => {
        if (err.code === 'ENOENT') return null;
        throw err;
      });
      if (text !== null) return { text, path };
    }
    throw new DashboardError('DASHBOARD_NOT_FOUND', `No dashboard "${id}".`);
  }

  async #write(id: string, text: string, path = join(this.dir, `${id}.yaml`)): Promise<void> {
    await mkdir(this.dir, { recursive: true });
    const tmp = `${path}.${randomBytes(4).toString('hex')}.tmp`;
    await writeFile(tmp, text, { mode: 0o640 });
    await rename(tmp, path);
  }

  #serial<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.#writes.then(fn, fn);
    this.#writes = run.catch(() => {});
    return run;
  }
}

/**
 * Copy the package's bundled dashboards (e.g. `synthea`) into a workspace's `dashboards/`,
 * leaving any the workspace already has untouched. Returns the ids copied.
 *
 * @example await installBundledDashboards('/ws', ['synthea'])
 */
export async function installBundledDashboards(wsDir: string, ids: string[]): Promise<string[]> {
  const dir = join(wsDir, 'dashboards');
  await mkdir(dir, { recursive: true });
  const copied: string[] = [];
  for (const id of ids) {
    checkId(id);
    const target = join(dir, `${id}.yaml`);
    const done = await copyFile(join(BUNDLED_DASHBOARDS_DIR, `${id}.yaml`), target, 1).then(
      () => true,
      (err: NodeJS.ErrnoException) => {
        if (err.code === 'EEXIST') return false;
        throw err;
      },
    );
    if (done) copied.push(id);
  }
  return copied;
}

function parseDashboard(id: string, text: string): Omit<Dashboard, 'id'> {
  let raw: unknown;
  try {
    raw = parseDocument(text, { prettyErrors: false }).toJS();
  } catch {
    throw new DashboardError('DASHBOARD_INVALID', `dashboards/${id}.yaml is not valid YAML.`);
  }
  const parsed = dashboardFileSchema.safeParse(raw ?? {});
  if (!parsed.success) throw invalid(id, parsed.error);
  return parsed.data;
}

function invalid(id: string, error: z.ZodError): DashboardError {
  const lines = error.issues.slice(0, 5).map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`);
  return new DashboardError('DASHBOARD_INVALID', `dashboards/${id}.yaml: ${lines.join('; ')}`);
}

function isId(id: string | undefined): id is string {
  return id !== undefined && idSchema.safeParse(id).success;
}

function checkId(id: string): void {
  if (!isId(id)) throw new DashboardError('DASHBOARD_NOT_FOUND', 'No such dashboard.');
}

function uniqueTileId(title: string, tiles: Tile[]): string {
  const base =
    title
      .toLowerCase()
      .replace(/[^a-z0-9]+/g, '-')
      .replace(/^-+|-+$/g, '')
      .slice(0, 48) || 'tile';
  let id = /^[a-z0-9]/.test(base) ? base : `t-${base}`;
  for (let n = 2; tiles.some((t) => t.id === id); n++) id = `${base}-${n}`;
  return id;
}

/** Leave out values equal to their defaults, so written tiles read like hand-written ones. */
function stripDefaults(tile: Tile): Record<string, unknown> {
  const { filters, ...rest } = tile;
  return Object.keys(filters).length ? { ...rest, filters } : rest;
}

function toYaml(file: unknown): string {
  const doc = parseDocument('{}');
  doc.contents = doc.createNode(file) as typeof doc.contents;
  return doc.toString();
}
