import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { ServerError } from '../errors.ts';
import type { Identity } from './identity.ts';

/** A service API key as stored: only a hash of its secret. */
export interface ApiKeyRecord {
  id: string;
  name: string;
  hash: string;
  scopes: string[];
  roles: string[];
  attributes: Record<string, unknown>;
  createdAt: string;
  revokedAt: string | null;
}

/** Scopes a service key may hold. */
export const API_KEY_SCOPES = ['chat', 'query', 'sql', 'embed', 'admin', 'audit', 'mcp'] as const;

function hashSecret(secret: string): string {
  return createHash('sha256').update(secret).digest('hex');
}

/**
 * Service API keys, hashed at rest (SHA-256 of a 256-bit random secret), scoped and revocable.
 * The full key (`ak_<id>_<secret>`) is shown once, at creation.
 */
export class ApiKeyStore {
  constructor(private readonly path: string) {}

  async list(): Promise<ApiKeyRecord[]> {
    try {
      return JSON.parse(await readFile(this.path, 'utf8')) as ApiKeyRecord[];
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
      throw err;
    }
  }

  async create(input: {
    name: string;
    scopes: string[];
    roles: string[];
    attributes?: Record<string, unknown>;
  }): Promise<{ key: string; record: ApiKeyRecord }> {
    const bad = input.scopes.filter((s) => !(API_KEY_SCOPES as readonly string[]).includes(s));
    if (bad.length)
      throw new ServerError(
        'BAD_REQUEST',
        `Unknown scope(s): ${bad.join(', ')}. Scopes: ${API_KEY_SCOPES.join(', ')}.`,
      );
    const id = randomBytes(6).toString('hex');
    const secret = randomBytes(32).toString('base64url');
    const record: ApiKeyRecord = {
      id,
      name: input.name,
      hash: hashSecret(secret),
      scopes: input.scopes,
      roles: input.roles,
      attributes: input.attributes ?? {},
      createdAt: new Date().toISOString(),
      revokedAt: null,
    };
    await this.#save([...(await this.list()), record]);
    return { key: `ak_${id}_${secret}`, record };
  }

  async revoke(id: string): Promise<boolean> {
    const all = await this.list();
    const rec = all.find((r) => r.id === id);
    if (!rec || rec.revokedAt) return false;
    rec.revokedAt = new Date().toISOString();
    await this.#save(all);
    return true;
  }

  /** The identity behind a presented key, or AUTH_REVOKED / AUTH_INVALID. */
  async verify(presented: string): Promise<Identity> {
    const m = /^ak_([0-9a-f]{12})_([A-Za-z0-9_-]{20,})$/.exec(presented);
    if (!m) throw new ServerError('AUTH_INVALID', 'The API key is malformed.');
    const rec = (await this.list()).find((r) => r.id === m[1]);
    const expected = Buffer.from(rec?.hash ?? '0'.repeat(64), 'hex');
    const actual = Buffer.from(hashSecret(m[2] as string), 'hex');
    if (!rec || !timingSafeEqual(expected, actual))
      throw new ServerError('AUTH_INVALID', 'The API key is not valid.');
    if (rec.revokedAt) throw new ServerError('AUTH_REVOKED', 'The API key has been revoked.');
    return {
      userId: `service:${rec.name}`,
      roles: rec.roles,
      attributes: rec.attributes,
      method: 'apikey',
      sessionId: rec.id,
      issuedAt: Math.floor(Date.parse(rec.createdAt) / 1000),
      scopes: rec.scopes,
    };
  }

  async #save(records: ApiKeyRecord[]): Promise<void> {
    await mkdir(dirname(this.path), { recursive: true, mode: 0o700 });
    const tmp = `${this.path}.${process.pid}.tmp`;
    await writeFile(tmp, JSON.stringify(records, null, 2), { mode: 0o600 });
    await rename(tmp, this.path);
  }
}
