import pg from 'pg';
import type { PoolClient, QueryResultRow } from 'pg';
import { StorageUnavailable, isUnavailable } from '../errors.ts';

/** int8 (BIGINT) columns hold millisecond timestamps: read them as numbers, not strings. */
const INT8_OID = 20;
const types = {
  getTypeParser: ((oid: number, format?: 'text' | 'binary') =>
    oid === INT8_OID && format !== 'binary'
      ? (value: string) => Number(value)
      : pg.types.getTypeParser(oid, format ?? 'text')) as typeof pg.types.getTypeParser,
};

/**
 * A PostgreSQL connection pool whose failures are sorted once: "the server is not there"
 * becomes `StorageUnavailable` (callers answer 503 and retry later), anything else is a bug
 * and propagates as it is. The pool reconnects by itself when the server comes back.
 */
export class PgPool {
  readonly #pool: pg.Pool;

  constructor(url: string, max = 10) {
    this.#pool = new pg.Pool({
      connectionString: url,
      max,
      types,
      // A stopped server must fail a request quickly, not hang it.
      connectionTimeoutMillis: 3_000,
      idleTimeoutMillis: 30_000,
    });
    // An idle client whose server went away emits here; without a listener it would crash the
    // process. The next query gets a fresh client (or StorageUnavailable).
    this.#pool.on('error', () => undefined);
  }

  async query<R extends QueryResultRow>(text: string, values: unknown[] = []): Promise<R[]> {
    try {
      return (await this.#pool.query<R>(text, values)).rows;
    } catch (error) {
      throw sorted(error);
    }
  }

  /** Runs `fn` in one transaction (BEGIN ... COMMIT, ROLLBACK on any error). */
  async transaction<T>(fn: (tx: Tx) => Promise<T>): Promise<T> {
    let client: PoolClient;
    try {
      client = await this.#pool.connect();
    } catch (error) {
      throw sorted(error);
    }
    let broken = false;
    try {
      await client.query('BEGIN');
      const result = await fn(new Tx(client));
      await client.query('COMMIT');
      return result;
    } catch (error) {
      broken = isUnavailable(error);
      if (!broken)
        await client.query('ROLLBACK').catch((e: unknown) => (broken = isUnavailable(e)));
      throw sorted(error);
    } finally {
      // A client whose connection failed is destroyed rather than returned to the pool.
      client.release(broken);
    }
  }

  async close(): Promise<void> {
    await this.#pool.end();
  }
}

/** One transaction's queries. */
export class Tx {
  constructor(private readonly client: PoolClient) {}

  async query<R extends QueryResultRow>(text: string, values: unknown[] = []): Promise<R[]> {
    return (await this.client.query<R>(text, values)).rows;
  }
}

function sorted(error: unknown): unknown {
  return isUnavailable(error) ? new StorageUnavailable(error) : error;
}
