import { Injectable } from '@nestjs/common';
import { DataSource, EntityManager } from 'typeorm';
import {
  Allocation,
  allocateOldestFirst,
  EntrySource,
  EntryType,
  expiringLots,
  expiryOf,
  Lot,
  Tier,
} from './loyalty-rules';
import { EXPIRY_MONTHS } from './loyalty-settings';
import { PooledClient, preparedQuery } from '../common/prepared-query';

export interface LockedAccount {
  customerId: string;
  balance: number;
  lifetimeEarned: number;
  tier: Tier;
  version: number;
}

export interface EntryRow {
  id: string;
  customerId: string;
  type: EntryType;
  points: number;
  reason: string;
  source: EntrySource;
  sourceId: string;
  idempotencyKey: string;
  rooftopId: string | null;
  actorId: string | null;
  occurredAt: Date;
  recordedAt: Date;
  expiresAt: Date | null;
  remaining: number | null;
  reversesEntryId: string | null;
  balanceAfter: number;
}

/** More writes in a debit's statement (see `LoyaltyLedger.debitWith`). */
export interface DebitAlso {
  ctes: string;
  params: unknown[];
  columns: string;
  /** The new entry's id only (`entry` holds just `id`): what a caller that only links to the entry needs. */
  idOnly?: boolean;
}

export interface EntryMeta {
  reason: string;
  source: EntrySource;
  sourceId: string;
  idempotencyKey: string;
  occurredAt: Date;
  rooftopId?: string | null;
  actorId?: string | null;
}

const ENTRY_KEYS = [
  'id',
  'customerId',
  'type',
  'points',
  'reason',
  'source',
  'sourceId',
  'idempotencyKey',
  'rooftopId',
  'actorId',
  'occurredAt',
  'recordedAt',
  'expiresAt',
  'remaining',
  'reversesEntryId',
  'balanceAfter',
];
const ENTRY_KEY_SET = new Set(ENTRY_KEYS);
const ENTRY_COLUMNS = `id::text AS "id", customer_id AS "customerId", type, points, reason, source, source_id AS "sourceId",
  idempotency_key AS "idempotencyKey", rooftop_id AS "rooftopId", actor_id AS "actorId", occurred_at AS "occurredAt",
  recorded_at AS "recordedAt", expires_at AS "expiresAt", remaining, reverses_entry_id::text AS "reversesEntryId",
  balance_after AS "balanceAfter"`;

/**
 * A debit in one statement: the entry, which lots it took points from (allocation), what is left of those lots,
 * and the account's balance, plus `alsoCtes` (more writes that may read `entry`) and `alsoColumns`. The parts share
 * one snapshot and cannot see each other's writes, so each works from the parameters; only the allocation needs the
 * new entry's id (RETURNING). Every part depends on the account's update, so when its gate ($16, the account row's
 * xmin as read without the lock) no longer holds, the statement writes nothing and returns no row.
 */
const debitStatement = (alsoCtes: string, alsoColumns: string, idOnly: boolean) =>
  `WITH account AS (
     UPDATE loyalty_account SET balance = $12, lifetime_earned = $15, version = version + 1, updated_at = now()
      WHERE customer_id = $1 AND ($16::text IS NULL OR xmin = $16::text::xid)
     RETURNING customer_id
   ), entry AS (
     INSERT INTO loyalty_entry (customer_id, type, points, reason, source, source_id, idempotency_key, rooftop_id,
                                actor_id, occurred_at, reverses_entry_id, balance_after)
     SELECT $1::uuid, $2::text, $3::int, $4::text, $5::text, $6::text, $7::text, $8::uuid, $9::uuid,
            $10::timestamptz, $11::bigint, $12::int
       FROM account
     RETURNING ${idOnly ? 'id' : '*'}
   ), taken AS (
     SELECT lot, pts FROM unnest($13::bigint[], $14::int[]) AS t(lot, pts)
   ), allocation AS (
     INSERT INTO loyalty_allocation (debit_entry_id, lot_entry_id, points)
     SELECT entry.id, taken.lot, taken.pts FROM entry, taken
   ), lots AS (
     UPDATE loyalty_entry e SET remaining = e.remaining - taken.pts
       FROM taken
      WHERE e.id = taken.lot AND e.customer_id = $1 AND e.remaining >= taken.pts
        AND EXISTS (SELECT 1 FROM account)
     RETURNING e.id
   )${alsoCtes}
   SELECT ${idOnly ? 'id::text AS "id"' : ENTRY_COLUMNS}, (SELECT count(*)::int FROM lots) AS "lotsTaken"${alsoColumns}
     FROM entry`;

/** The first parameter number of `DebitAlso.ctes` in the debit's statement ($1–$16 are the debit's own). */
const DEBIT_PARAMS = 16;

/**
 * The debit statement with `also`, built once per `also` text (its parameters renumbered past the debit's): hot
 * callers pass the same strings every time (see loyalty-answer-store.ts), so neither the text nor its prepared
 * statement's name is rebuilt, and the lookups hash strings whose hash V8 already keeps.
 */
const debitStatements = new Map<string, Map<string, { row?: string; id?: string }>>();
function debitStatementWith(also: DebitAlso | undefined): string {
  const ctes = also?.ctes ?? '';
  const columns = also?.columns ?? '';
  let byColumns = debitStatements.get(ctes);
  if (!byColumns) debitStatements.set(ctes, (byColumns = new Map()));
  let texts = byColumns.get(columns);
  if (!texts) byColumns.set(columns, (texts = {}));
  const idOnly = also?.idOnly === true;
  let text = idOnly ? texts.id : texts.row;
  if (text === undefined) {
    const alsoCtes = also
      ? `,\n${ctes.replace(/\$(\d+)/g, (_, n: string) => `$${Number(n) + DEBIT_PARAMS}`)}`
      : '';
    text = debitStatement(alsoCtes, also ? `, ${columns}` : '', idOnly);
    if (idOnly) texts.id = text;
    else texts.row = text;
  }
  return text;
}

/**
 * Data access for the ledger. Every write method expects the account to be locked (`lock`, `lockForWrite`) in the same
 * transaction: that lock serialises concurrent redemptions of one account, so the running balance and
 * the lots' `remaining` are computed from a state no one else can change underneath. The one exception is a
 * gated debit (`debitWith`'s `gate`), which writes only if the account row is still as it was read.
 */
@Injectable()
export class LoyaltyLedger {
  static readonly columns = ENTRY_COLUMNS;

  /**
   * Locks the account (SELECT … FOR UPDATE) until the transaction ends, opening it first if there is none: one
   * statement for an existing account, three for a new one.
   */
  async lock(manager: EntityManager, customerId: string): Promise<LockedAccount> {
    const select = () =>
      manager.query<LockedAccount[]>(
        `SELECT customer_id AS "customerId", balance, lifetime_earned AS "lifetimeEarned", tier, version
           FROM loyalty_account WHERE customer_id = $1 FOR UPDATE`,
        [customerId],
      );
    const [row] = await select();
    if (row) return row;
    await manager.query(
      `INSERT INTO loyalty_account (customer_id) VALUES ($1) ON CONFLICT (customer_id) DO NOTHING`,
      [customerId],
    );
    const [opened] = await select();
    return opened;
  }

  async findByKey(manager: EntityManager, idempotencyKey: string): Promise<EntryRow | null> {
    const [row] = await manager.query(
      `SELECT ${ENTRY_COLUMNS} FROM loyalty_entry WHERE idempotency_key = $1`,
      [idempotencyKey],
    );
    return (row as EntryRow) ?? null;
  }

  async findEntry(manager: EntityManager, id: string): Promise<EntryRow | null> {
    const [row] = await manager.query(`SELECT ${ENTRY_COLUMNS} FROM loyalty_entry WHERE id = $1`, [id]);
    return (row as EntryRow) ?? null;
  }

  /** Lots with points left (including expired ones the expiry has not written yet). Served by the open-lots index. */
  async openLots(manager: EntityManager, customerId: string): Promise<Lot[]> {
    const rows: { id: string; occurredAt: Date; expiresAt: Date; remaining: number }[] = await manager.query(
      `SELECT id::text AS id, occurred_at AS "occurredAt", expires_at AS "expiresAt", remaining
         FROM loyalty_entry WHERE customer_id = $1 AND remaining > 0`,
      [customerId],
    );
    return rows;
  }

  /** A credit (earn or positive adjustment) becomes a lot that expires EXPIRY_MONTHS after it occurred. */
  async credit(
    manager: EntityManager,
    account: LockedAccount,
    type: 'earn' | 'adjust',
    points: number,
    meta: EntryMeta,
  ): Promise<EntryRow> {
    if (!Number.isInteger(points) || points <= 0)
      throw new RangeError('credit points must be a positive integer');
    const entry = await this.insert(manager, account, type, points, meta, {
      expiresAt: expiryOf(meta.occurredAt, EXPIRY_MONTHS),
      remaining: points,
    });
    if (type === 'earn') account.lifetimeEarned += points;
    await this.saveAccount(manager, account);
    return entry;
  }

  /** A debit consuming the given allocations (from `allocateOldestFirst` or `expiringLots`). */
  async debit(
    manager: EntityManager,
    account: LockedAccount,
    type: 'redeem' | 'expire' | 'adjust' | 'reverse',
    allocations: Allocation[],
    meta: EntryMeta,
    reversesEntryId: string | null = null,
  ): Promise<EntryRow> {
    return (await this.debitWith(manager, account, type, allocations, meta, reversesEntryId))!.entry;
  }

  /**
   * `debit`, with more writes in the same statement (`also`): CTEs that may read the new entry (`entry`), their
   * parameters numbered from $1 in `also.ctes` (renumbered here), and the columns they add to the result (`also.columns`,
   * e.g. a count of what a CTE inserted), returned as `extra`.
   *
   * With `also.idOnly` the statement returns only the new entry's id, and `entry` holds just `id`.
   *
   * `gate`: for a write without the account's lock (see loyalty-unlocked-write.ts), the account row's xmin as it
   * was read. Every ledger write updates the account row, so an unchanged xmin means the balance and lots read are
   * still current; otherwise the statement writes nothing (every part depends on the account's update) and this
   * returns null. Without a gate the account must be locked (in `manager`'s transaction); a gated write may run on
   * the DataSource (pg's pool) or a connection of it (`withPooledClient`).
   */
  async debitWith(
    manager: EntityManager | DataSource | PooledClient,
    account: LockedAccount,
    type: 'redeem' | 'expire' | 'adjust' | 'reverse',
    allocations: Allocation[],
    meta: EntryMeta,
    reversesEntryId: string | null = null,
    also?: DebitAlso,
    gate: string | null = null,
  ): Promise<{ entry: EntryRow; extra: Record<string, unknown> } | null> {
    const points = allocations.reduce((s, a) => s + a.points, 0);
    if (points <= 0) throw new RangeError('a debit needs a positive allocation');
    const balanceAfter = account.balance - points;
    if (balanceAfter < 0) throw new RangeError('a loyalty balance never goes below zero');
    const params = [
      ...entryParams(account.customerId, type, -points, meta),
      reversesEntryId,
      balanceAfter,
      allocations.map((a) => a.lotId),
      allocations.map((a) => a.points),
      account.lifetimeEarned,
      gate,
    ];
    if (params.length !== DEBIT_PARAMS) throw new Error('the debit statement takes 16 parameters of its own');
    const [row] = await preparedQuery<EntryRow & { lotsTaken: number } & Record<string, unknown>>(
      manager,
      debitStatementWith(also),
      also ? params.concat(also.params) : params,
    );
    // The gate (the account row as it was read) no longer holds: another write came first, nothing was written.
    if (!row) {
      if (gate === null) throw new Error('loyalty account missing under its lock');
      return null;
    }
    const extra: Record<string, unknown> = {};
    const entry: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(row)) (ENTRY_KEY_SET.has(k) ? entry : extra)[k] = v;
    if (row.lotsTaken !== allocations.length)
      throw new Error('loyalty allocation did not match the open lots');
    delete extra.lotsTaken;
    account.balance = balanceAfter;
    account.version += 1;
    return { entry: entry as unknown as EntryRow, extra };
  }

  /**
   * Writes `expire` entries for every lot expired at `asOf`, oldest first, each dated at its own expiry
   * instant and keyed per lot (`expire:<lot>`), so the nightly job and the lazy expiry before a debit
   * can never expire the same points twice. `lots` (from `openLots` under the lock) saves reading them again.
   */
  async expireDue(
    manager: EntityManager,
    account: LockedAccount,
    asOf: Date,
    lots?: Lot[],
  ): Promise<EntryRow[]> {
    lots ??= await this.openLots(manager, account.customerId);
    const written: EntryRow[] = [];
    const expiresAt = new Map(lots.map((l) => [l.id, l.expiresAt]));
    for (const allocation of expiringLots(lots, asOf)) {
      written.push(
        await this.debit(manager, account, 'expire', [allocation], {
          reason: `${allocation.points} points expired ${EXPIRY_MONTHS} months after they were earned`,
          source: 'system',
          sourceId: allocation.lotId,
          idempotencyKey: `expire:${allocation.lotId}`,
          occurredAt: expiresAt.get(allocation.lotId)!,
        }),
      );
    }
    return written;
  }

  /** Allocation for a debit at `asOf` (oldest usable points first). */
  async allocate(
    manager: EntityManager,
    customerId: string,
    points: number,
    asOf: Date,
    preferLotId?: string,
  ): Promise<Allocation[]> {
    return allocateOldestFirst(await this.openLots(manager, customerId), points, asOf, preferLotId);
  }

  /** A credit's entry: a lot with its points still all there. */
  private async insert(
    manager: EntityManager,
    account: LockedAccount,
    type: EntryType,
    points: number,
    meta: EntryMeta,
    lot: { expiresAt: Date; remaining: number },
  ): Promise<EntryRow> {
    const balanceAfter = account.balance + points;
    if (balanceAfter < 0) throw new RangeError('a loyalty balance never goes below zero');
    const [row] = await manager.query(
      `INSERT INTO loyalty_entry (customer_id, type, points, reason, source, source_id, idempotency_key, rooftop_id, actor_id,
                                  occurred_at, expires_at, remaining, balance_after)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)
       RETURNING ${ENTRY_COLUMNS}`,
      [...entryParams(account.customerId, type, points, meta), lot.expiresAt, lot.remaining, balanceAfter],
    );
    account.balance = balanceAfter;
    return row as EntryRow;
  }

  private async saveAccount(manager: EntityManager, account: LockedAccount): Promise<void> {
    await manager.query(
      `UPDATE loyalty_account SET balance = $2, lifetime_earned = $3, version = version + 1, updated_at = now() WHERE customer_id = $1`,
      [account.customerId, account.balance, account.lifetimeEarned],
    );
    account.version += 1;
  }
}

/** The first ten columns of a loyalty_entry row, in the order both entry statements take them ($1–$10). */
function entryParams(customerId: string, type: string, points: number, meta: EntryMeta): unknown[] {
  return [
    customerId,
    type,
    points,
    meta.reason,
    meta.source,
    meta.sourceId,
    meta.idempotencyKey,
    meta.rooftopId ?? null,
    meta.actorId ?? null,
    meta.occurredAt,
  ];
}
