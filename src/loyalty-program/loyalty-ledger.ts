import { Injectable } from '@nestjs/common';
import { createHash } from 'node:crypto';
import { EntityManager, QueryFailedError } from 'typeorm';
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

/** A stored answer to an idempotent write (loyalty_idempotency). */
export interface StoredAnswer {
  hash: string;
  status: number;
  body: unknown;
}

/** An open lot as json_agg returns it (timestamps as ISO strings). */
interface LotJson {
  id: string;
  occurredAt: string;
  expiresAt: string;
  remaining: number;
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

/** The pg client under a TypeORM transaction's query runner (set once the runner is connected). */
interface PgClient {
  query(config: { name: string; text: string; values: unknown[] }): Promise<{ rows: unknown[] }>;
}
const statementNames = new Map<string, string>();

/**
 * A statement of the ledger's hot path run as a named (prepared) statement on the transaction's connection: pg
 * parses it once per connection and PostgreSQL can keep its plan, instead of parsing and planning it on every
 * redemption. Errors are TypeORM's QueryFailedError, as with manager.query (the problem filter maps their codes).
 * Without a connected query runner it is manager.query.
 */
export async function preparedQuery<T>(
  manager: EntityManager,
  text: string,
  values: unknown[],
): Promise<T[]> {
  const client = (manager.queryRunner as unknown as { databaseConnection?: PgClient } | undefined)
    ?.databaseConnection;
  if (!client || manager.queryRunner?.isReleased) return manager.query(text, values);
  let name = statementNames.get(text);
  if (!name) {
    name = `loyalty_${createHash('sha1').update(text).digest('hex').slice(0, 20)}`;
    statementNames.set(text, name);
  }
  try {
    return (await client.query({ name, text, values })).rows as T[];
  } catch (e) {
    throw new QueryFailedError(text, values, e as Error);
  }
}

const ENTRY_COLUMNS = `id::text AS "id", customer_id AS "customerId", type, points, reason, source, source_id AS "sourceId",
  idempotency_key AS "idempotencyKey", rooftop_id AS "rooftopId", actor_id AS "actorId", occurred_at AS "occurredAt",
  recorded_at AS "recordedAt", expires_at AS "expiresAt", remaining, reverses_entry_id::text AS "reversesEntryId",
  balance_after AS "balanceAfter"`;

/**
 * Data access for the ledger. Every write method expects the account to be locked (`lock`, `lockForWrite`) in the same
 * transaction: that lock serialises concurrent redemptions of one account, so the running balance and
 * the lots' `remaining` are computed from a state no one else can change underneath.
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

  /**
   * What an idempotent write needs, in one round trip for an existing account: locks the account (FOR UPDATE)
   * and reads, as of that lock, the answer stored for (scope, key) if any and the account's open lots. A new
   * account is opened first (then three statements, as in `lock`).
   *
   * The reads share the statement's snapshot, taken before the lock was granted. If the lock had to wait for
   * another writer of this account, the locked row is that writer's new version (READ COMMITTED re-reads it)
   * but the lots and the stored answer are still as they were before it committed. Every ledger write updates
   * the account row (its balance must match the ledger at commit), so a locked row whose xmin differs from the
   * snapshot's row means the reads may be stale: the statement is run once more, under the lock now held.
   */
  async lockForWrite(
    manager: EntityManager,
    customerId: string,
    idempotency: { scope: string; key: string },
  ): Promise<{ account: LockedAccount; stored: StoredAnswer | null; lots: Lot[] }> {
    const select = async () => {
      const [row] = await preparedQuery<
        LockedAccount & { fresh: boolean; stored: StoredAnswer | null; lots: LotJson[] }
      >(
        manager,
        `SELECT a.customer_id AS "customerId", a.balance, a.lifetime_earned AS "lifetimeEarned", a.tier, a.version,
                  a.xmin = (SELECT s.xmin FROM loyalty_account s WHERE s.customer_id = $1) AS fresh,
                  (SELECT json_build_object('hash', i.request_hash, 'status', i.status, 'body', i.body)
                     FROM loyalty_idempotency i WHERE i.scope = $2 AND i.key = $3) AS stored,
                  (SELECT COALESCE(json_agg(json_build_object('id', l.id::text, 'occurredAt', l.occurred_at,
                                                              'expiresAt', l.expires_at, 'remaining', l.remaining)), '[]')
                     FROM loyalty_entry l WHERE l.customer_id = $1 AND l.remaining > 0) AS lots
             FROM loyalty_account a WHERE a.customer_id = $1
              FOR UPDATE OF a`,
        [customerId, idempotency.scope, idempotency.key],
      );
      return row;
    };
    let row = await select();
    if (!row) {
      await manager.query(
        `INSERT INTO loyalty_account (customer_id) VALUES ($1) ON CONFLICT (customer_id) DO NOTHING`,
        [customerId],
      );
      row = await select();
    }
    // Stale reads (the lock waited for a writer): once more, now that no one else can write this account.
    if (!row.fresh) row = await select();
    const { fresh: _fresh, stored, lots, ...account } = row;
    return {
      account,
      stored,
      lots: lots.map((l) => ({
        id: l.id,
        occurredAt: new Date(l.occurredAt),
        expiresAt: new Date(l.expiresAt),
        remaining: l.remaining,
      })),
    };
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
    const points = allocations.reduce((s, a) => s + a.points, 0);
    if (points <= 0) throw new RangeError('a debit needs a positive allocation');
    const balanceAfter = account.balance - points;
    if (balanceAfter < 0) throw new RangeError('a loyalty balance never goes below zero');
    // One round trip for the whole debit: the entry, which lots it took points from (allocation), what is left
    // of those lots, and the account's balance. The parts share one snapshot and cannot see each other's writes,
    // so each works from the parameters; only the allocation needs the new entry's id (RETURNING).
    const [row] = await preparedQuery<EntryRow & { lotsTaken: number }>(
      manager,
      `WITH entry AS (
         INSERT INTO loyalty_entry (customer_id, type, points, reason, source, source_id, idempotency_key, rooftop_id,
                                    actor_id, occurred_at, reverses_entry_id, balance_after)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)
         RETURNING *
       ), taken AS (
         SELECT lot, pts FROM unnest($13::bigint[], $14::int[]) AS t(lot, pts)
       ), allocation AS (
         INSERT INTO loyalty_allocation (debit_entry_id, lot_entry_id, points)
         SELECT entry.id, taken.lot, taken.pts FROM entry, taken
       ), lots AS (
         UPDATE loyalty_entry e SET remaining = e.remaining - taken.pts
           FROM taken
          WHERE e.id = taken.lot AND e.customer_id = $1 AND e.remaining >= taken.pts
         RETURNING e.id
       ), account AS (
         UPDATE loyalty_account SET balance = $12, lifetime_earned = $15, version = version + 1, updated_at = now()
          WHERE customer_id = $1
       )
       SELECT ${ENTRY_COLUMNS}, (SELECT count(*)::int FROM lots) AS "lotsTaken" FROM entry`,
      [
        account.customerId,
        type,
        -points,
        meta.reason,
        meta.source,
        meta.sourceId,
        meta.idempotencyKey,
        meta.rooftopId ?? null,
        meta.actorId ?? null,
        meta.occurredAt,
        reversesEntryId,
        balanceAfter,
        allocations.map((a) => a.lotId),
        allocations.map((a) => a.points),
        account.lifetimeEarned,
      ],
    );
    const { lotsTaken, ...entry } = row;
    if (lotsTaken !== allocations.length) throw new Error('loyalty allocation did not match the open lots');
    account.balance = balanceAfter;
    account.version += 1;
    return entry;
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
      [
        account.customerId,
        type,
        points,
        meta.reason,
        meta.source,
        meta.sourceId,
        meta.idempotencyKey,
        meta.rooftopId ?? null,
        meta.actorId ?? null,
        meta.occurredAt,
        lot.expiresAt,
        lot.remaining,
        balanceAfter,
      ],
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
