import { DataSource, EntityManager } from 'typeorm';
import { UnprocessableError } from '../common/problem/domain-error';
import { EntryMeta, LockedAccount, LoyaltyLedger } from './loyalty-ledger';
import { PooledClient, preparedQuery } from '../common/prepared-query';
import { RewardRow, StoredAnswer } from './loyalty-read-for-write';
import { Allocation, Lot } from './loyalty-rules';

export interface IdempotentAnswer<T> {
  status: number;
  body: T;
  replayed: boolean;
}

/**
 * What the work of an idempotent write answers. `alongside` is one more write that goes in the same statement as
 * the stored answer (as a CTE named `name`, its own parameters numbered from $1), to save a round trip.
 *
 * `debit`, when given, is the work's ledger debit, not yet written: it goes in the same statement as `alongside`
 * and the stored answer (one round trip for the whole write). `alongside` may then read the new entry (`entry`),
 * and the new entry's id is set in the body (stored and answered) as `debit.entryField`.
 */
export interface WorkAnswer<T> {
  status: number;
  body: T;
  alongside?: { name: string; sql: string; params: unknown[] };
  debit?: {
    account: LockedAccount;
    type: 'redeem' | 'adjust';
    allocations: Allocation[];
    meta: EntryMeta;
    entryField: string;
  };
}

/** The write itself, given the account (locked, or as read for the path without a lock) and its open lots. */
export type Work<T> = (
  manager: EntityManager,
  account: LockedAccount,
  lots: Lot[],
  customer: { homeRooftopId: string; reward: RewardRow | null },
) => Promise<WorkAnswer<T>>;

/** The stored answer for the same request (replayed), or 422 for another request with the same key. */
export function replayed<T>(stored: StoredAnswer, hash: string): IdempotentAnswer<T> {
  if (stored.hash !== hash) {
    throw new UnprocessableError(
      'idempotency_key_reused',
      'This Idempotency-Key was already used for a different request',
      [{ field: 'Idempotency-Key', message: 'already used with a different body' }],
    );
  }
  return { status: stored.status, body: stored.body as T, replayed: true };
}

/**
 * One statement: the stored answer, and the work's last write if it has one (a CTE, so both or neither). False
 * when another request stored an answer for (scope, key) first (nothing written).
 */
export async function storeAnswer<T>(
  manager: EntityManager,
  scope: string,
  key: string,
  hash: string,
  answer: WorkAnswer<T>,
  body: T,
): Promise<boolean> {
  const params = answer.alongside?.params ?? [];
  const n = params.length;
  const [inserted] = await preparedQuery<{ key: string }>(
    manager,
    `${answer.alongside ? `WITH ${answer.alongside.name} AS (${answer.alongside.sql})\n` : ''}` +
      `INSERT INTO loyalty_idempotency (scope, key, request_hash, status, body)
       VALUES ($${n + 1}, $${n + 2}, $${n + 3}, $${n + 4}, $${n + 5})
       ON CONFLICT (scope, key) DO NOTHING RETURNING key`,
    [...params, scope, key, hash, answer.status, JSON.stringify(body)],
  );
  return inserted !== undefined;
}

/**
 * One statement: the debit (entry, allocations, lots, balance), `alongside` and the stored answer, whose body
 * gets the new entry's id (in `body` too). All or nothing. Under the lock (`gate` null) a key stored meanwhile
 * by another account's request makes it answer false (the caller rolls back); with a `gate` (the account row's
 * xmin as read, see loyalty-unlocked-write.ts) false also means the gate failed, and a key stored meanwhile is a
 * unique violation that undoes the statement (the answer's insert has no ON CONFLICT there).
 */
export async function debitAndStore<T>(
  ledger: LoyaltyLedger,
  manager: EntityManager | DataSource | PooledClient,
  idempotency: { scope: string; key: string; hash: string },
  answer: WorkAnswer<T>,
  body: T,
  gate: string | null = null,
): Promise<boolean> {
  const { account, type, allocations, meta, entryField } = answer.debit!;
  const { scope, key, hash } = idempotency;
  const params = answer.alongside?.params ?? [];
  const written = await ledger.debitWith(
    manager,
    account,
    type,
    allocations,
    meta,
    null,
    {
      ctes: answerCtes(answer.alongside, gate === null),
      params: [...params, scope, key, hash, answer.status, JSON.stringify(body), entryField],
      columns: ANSWER_STORED,
      // Only the entry's id goes into the answer: the statement returns nothing else of it.
      idOnly: true,
    },
    gate,
  );
  if (!written) return false;
  const { entry, extra } = written;
  (body as Record<string, unknown>)[entryField] = entry.id;
  return extra.answerStored === 1;
}

const ANSWER_STORED = `(SELECT count(*)::int FROM answer) AS "answerStored"`;

/** `debitAndStore`'s CTEs (`alongside`, then the stored answer), built once per `alongside` statement. */
const answerCtesBuilt = new Map<string, { name?: string; n: number; locked?: string; gated?: string }>();
function answerCtes(alongside: WorkAnswer<unknown>['alongside'], locked: boolean): string {
  const sql = alongside?.sql ?? '';
  let built = answerCtesBuilt.get(sql);
  if (!built) answerCtesBuilt.set(sql, (built = { name: alongside?.name, n: alongside?.params.length ?? 0 }));
  if (built.name !== alongside?.name || built.n !== (alongside?.params.length ?? 0))
    throw new Error('one alongside statement, one name and one parameter count');
  let ctes = locked ? built.locked : built.gated;
  if (ctes === undefined) {
    const n = built.n;
    ctes =
      `${alongside ? `${alongside.name} AS (${alongside.sql}),\n` : ''}` +
      `answer AS (
           INSERT INTO loyalty_idempotency (scope, key, request_hash, status, body)
           SELECT $${n + 1}::text, $${n + 2}::text, $${n + 3}::text, $${n + 4}::int,
                  $${n + 5}::jsonb || jsonb_build_object($${n + 6}::text, entry.id::text)
             FROM entry
           ${locked ? 'ON CONFLICT (scope, key) DO NOTHING ' : ''}RETURNING key)`;
    if (locked) built.locked = ctes;
    else built.gated = ctes;
  }
  return ctes;
}
