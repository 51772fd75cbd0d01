import type { BaseCheckpointSaver } from '@langchain/langgraph';
import { JsonPlusSerializer } from '@langchain/langgraph-checkpoint';
import { PostgresSaver } from '@langchain/langgraph-checkpoint-postgres';
import { SqliteSaver } from '@langchain/langgraph-checkpoint-sqlite';
import pg from 'pg';
import {
  type ConversationIndex,
  type ConversationRecord,
  PostgresConversationIndex,
  SqliteConversationIndex,
} from './conversation-index.ts';
import { conversationKey, EncryptedSerializer } from './encrypted-serializer.ts';

export type { ConversationRecord };

/**
 * PostgreSQL checkpoints with the state encrypted. The saver stores channel values and pending
 * writes through the serializer (encrypted), but reads metadata back as JSON; metadata holds only
 * the step, its source and parent ids (no question or answer), so it is kept as plain JSON.
 */
class EncryptedPostgresSaver extends PostgresSaver {
  readonly #plain = new JsonPlusSerializer();
  protected override async _loadMetadata(metadata: Record<string, unknown>) {
    const [type, value] = await this.#plain.dumpsTyped(metadata);
    return this.#plain.loadsTyped(type, value);
  }
  protected override async _dumpMetadata(metadata: Record<string, unknown>) {
    const [, value] = await this.#plain.dumpsTyped(metadata);
    return JSON.parse(new TextDecoder().decode(value).replace(/\0/g, ''));
  }
}

/**
 * Where conversations persist: LangGraph checkpoints (encrypted, AES-256-GCM under a key derived
 * from the workspace key) plus an index of owners and times for access checks and retention.
 * Embedded SQLite by default; PostgreSQL so several replicas share conversations.
 *
 * @example const store = ConversationStore.open({ path: 'state/conversations.db', workspaceKey });
 */
export class ConversationStore {
  private constructor(
    private readonly index: ConversationIndex,
    readonly checkpointer: BaseCheckpointSaver,
  ) {}

  /** The embedded store: one SQLite file (WAL) holding checkpoints and the index. */
  static open(options: { path: string; workspaceKey: string }): ConversationStore {
    const index = SqliteConversationIndex.open(options.path);
    const saver = new SqliteSaver(index.db, new EncryptedSerializer(conversationKey(options.workspaceKey)));
    return new ConversationStore(index, saver);
  }

  /** The shared store: checkpoints and the index in a PostgreSQL schema. */
  static async openPostgres(options: {
    url: string;
    schema: string;
    workspaceKey: string;
  }): Promise<ConversationStore> {
    const pool = new pg.Pool({ connectionString: options.url, max: 4 });
    try {
      const index = await PostgresConversationIndex.open(pool, options.schema);
      const saver = new EncryptedPostgresSaver(
        pool,
        new EncryptedSerializer(conversationKey(options.workspaceKey)),
        {
          schema: options.schema,
        },
      );
      await saver.setup();
      return new ConversationStore(index, saver);
    } catch (err) {
      await pool.end().catch(() => {});
      throw err;
    }
  }

  get(id: string): Promise<ConversationRecord | undefined> {
    return this.index.get(id);
  }

  touch(id: string, owner: string, now = new Date()): Promise<void> {
    return this.index.touch(id, owner, now.toISOString());
  }

  /** Delete conversations not used for `days` days (retention). Returns how many were deleted. */
  async purgeOlderThan(days: number, now = new Date()): Promise<number> {
    const ids = await this.index.unusedSince(new Date(now.getTime() - days * 86_400_000).toISOString());
    for (const id of ids) {
      await this.checkpointer.deleteThread(id);
      await this.index.remove(id);
    }
    return ids.length;
  }

  async close(): Promise<void> {
    await this.index.close();
  }
}
