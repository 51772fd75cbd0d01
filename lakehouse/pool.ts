import type { DuckDBConnection, DuckDBInstance } from '@duckdb/node-api';

/**
 * A small pool of read connections over one DuckDB instance. Connections share the attached lake;
 * each runs one statement at a time, so a long query does not hold up the others.
 */
export class ConnectionPool {
  readonly #idle: DuckDBConnection[] = [];
  readonly #all: DuckDBConnection[] = [];
  readonly #waiters: Array<(c: DuckDBConnection) => void> = [];

  private constructor(
    private readonly instance: DuckDBInstance,
    private readonly size: number,
    private readonly setup: (c: DuckDBConnection) => Promise<void>,
  ) {}

  static async create(
    instance: DuckDBInstance,
    size: number,
    setup: (c: DuckDBConnection) => Promise<void>,
  ): Promise<ConnectionPool> {
    return new ConnectionPool(instance, Math.max(1, size), setup);
  }

  /** Open every connection now (and run its setup), e.g. while settings can still be changed. */
  async warm(): Promise<void> {
    while (this.#all.length < this.size) {
      const conn = await this.instance.connect();
      this.#all.push(conn);
      await this.setup(conn);
      this.#idle.push(conn);
    }
  }

  async acquire(): Promise<DuckDBConnection> {
    const idle = this.#idle.pop();
    if (idle) return idle;
    if (this.#all.length < this.size) {
      const conn = await this.instance.connect();
      this.#all.push(conn);
      await this.setup(conn);
      return conn;
    }
    return new Promise((resolve) => this.#waiters.push(resolve));
  }

  release(conn: DuckDBConnection): void {
    const waiter = this.#waiters.shift();
    if (waiter) waiter(conn);
    else this.#idle.push(conn);
  }

  async use<T>(fn: (c: DuckDBConnection) => Promise<T>): Promise<T> {
    const conn = await this.acquire();
    try {
      return await fn(conn);
    } finally {
      this.release(conn);
    }
  }

  close(): void {
    for (const c of this.#all) c.closeSync();
    this.#all.length = 0;
    this.#idle.length = 0;
  }
}
