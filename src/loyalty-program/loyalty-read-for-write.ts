import { DataSource, EntityManager } from 'typeorm';
import { ActiveUserRow, UncheckedUser } from '../auth/auth-user';
import { NotFoundError } from '../common/problem/domain-error';
import type { LockedAccount } from './loyalty-ledger';
import { PooledClient, preparedQuery } from '../common/prepared-query';
import { Lot } from './loyalty-rules';

/** A stored answer to an idempotent write (loyalty_idempotency). */
export interface StoredAnswer {
  hash: string;
  status: number;
  body: unknown;
}

/** A reward as the read statement reads it (loyalty_reward). */
export interface RewardRow {
  code: string;
  name: string;
  pointsCost: number;
  active: boolean;
}

/** What an idempotent write reads before writing (`lockForWrite`, `readForWrite`). */
export interface ReadForWrite {
  account: LockedAccount;
  stored: StoredAnswer | null;
  lots: Lot[];
  customer: { homeRooftopId: string; reward: RewardRow | null };
}

/** An open lot as json_agg returns it (timestamps as ISO strings). */
interface LotJson {
  id: string;
  occurredAt: string;
  expiresAt: string;
  remaining: number;
}

type ReadRow = Partial<LockedAccount> & {
  /** Null only without the lock: no such customer. */
  homeRooftopId: string | null;
  user?: ActiveUserRow | null;
  reward: RewardRow | null;
  rowXmin: string | null;
  /** With the lock only. */
  fresh?: boolean | null;
  stored: StoredAnswer | null;
  lots: LotJson[];
};

/**
 * The customer (home rooftop), the reward asked for, the account (locked with FOR UPDATE when `lock`), the stored
 * answer for (scope, key) and the open lots: $1 customer, $2 scope, $3 key, $4 reward. The account's lock is taken
 * in a CTE so that the customer row is there even when no account is. `rowXmin` is the account row's version (the
 * gate of a write without the lock); with the lock, `fresh` says whether the locked row is the one the statement's
 * snapshot saw (without it the row read is the snapshot's, and the write's gate checks it). Served by the primary
 * keys and the open-lots index.
 *
 * Without the lock it also reads the caller's user ($5, see UncheckedUser; null when the guard checked it), and
 * answers a row even for no customer, so that a user no longer active is refused (401) before a missing customer
 * is (404).
 */
const readForWriteSql = (lock: boolean) => `WITH a AS MATERIALIZED (
   SELECT customer_id, balance, lifetime_earned, tier, version, xmin AS row_xmin
     FROM loyalty_account WHERE customer_id = $1${lock ? ' FOR UPDATE' : ''})
 SELECT c.home_rooftop_id AS "homeRooftopId",
        (SELECT json_build_object('code', r.code, 'name', r.name, 'pointsCost', r.points_cost, 'active', r.active)
           FROM loyalty_reward r WHERE r.id = $4) AS reward,
        a.customer_id AS "customerId", a.balance, a.lifetime_earned AS "lifetimeEarned", a.tier, a.version,
        a.row_xmin::text AS "rowXmin",${
          lock
            ? `
        a.row_xmin = (SELECT s.xmin FROM loyalty_account s WHERE s.customer_id = $1) AS fresh,`
            : ''
        }
        (SELECT json_build_object('hash', i.request_hash, 'status', i.status, 'body', i.body)
           FROM loyalty_idempotency i WHERE i.scope = $2 AND i.key = $3) AS stored,
        (SELECT COALESCE(json_agg(json_build_object('id', l.id::text, 'occurredAt', l.occurred_at,
                                                    'expiresAt', l.expires_at, 'remaining', l.remaining)), '[]')
           FROM loyalty_entry l WHERE l.customer_id = $1 AND l.remaining > 0) AS lots${
             lock
               ? `
   FROM customer c LEFT JOIN a ON true
  WHERE c.id = $1`
               : `,
        ${UncheckedUser.column('$5')} AS "user"
   FROM (VALUES (1)) AS one (x) LEFT JOIN customer c ON c.id = $1 LEFT JOIN a ON true`
           }`;
const LOCK_FOR_WRITE_SQL = readForWriteSql(true);
const READ_FOR_WRITE_SQL = readForWriteSql(false);

function toReadForWrite(row: ReadRow): ReadForWrite {
  const { fresh: _fresh, rowXmin: _xmin, user: _user, stored, lots, homeRooftopId, reward, ...account } = row;
  return {
    account: account as LockedAccount,
    stored,
    customer: { homeRooftopId: homeRooftopId!, reward },
    lots: lots.map((l) => ({
      id: l.id,
      occurredAt: new Date(l.occurredAt),
      expiresAt: new Date(l.expiresAt),
      remaining: l.remaining,
    })),
  };
}

/**
 * What an idempotent write needs, in one round trip for an existing account: the customer's home rooftop (and
 * the reward asked for, if any), the account locked (FOR UPDATE), and, as of that lock, the answer stored for
 * (scope, key) if any and the account's open lots. `visible` sees the customer before anything is written: it
 * throws (404) for a customer the caller may not see, and no customer at all is a 404 here. A new account is
 * opened after that check (then three statements).
 *
 * The reads share the statement's snapshot, taken before the lock was granted. If the lock had to wait for
 * another writer of this account, the locked row is that writer's new version (READ COMMITTED re-reads it)
 * but the lots and the stored answer are still as they were before it committed. Every ledger write updates
 * the account row (its balance must match the ledger at commit), so a locked row whose xmin differs from the
 * snapshot's row means the reads may be stale: the statement is run once more, under the lock now held.
 */
export async function lockForWrite(
  manager: EntityManager,
  customerId: string,
  idempotency: { scope: string; key: string },
  visible: (customer: { homeRooftopId: string }) => void,
  rewardId: string | null = null,
): Promise<ReadForWrite> {
  const params = [customerId, idempotency.scope, idempotency.key, rewardId];
  const select = async () => (await preparedQuery<ReadRow>(manager, LOCK_FOR_WRITE_SQL, params))[0];
  let row = await select();
  if (!row) throw new NotFoundError('Customer');
  visible({ homeRooftopId: row.homeRooftopId! });
  if (row.customerId == null) {
    await manager.query(
      `INSERT INTO loyalty_account (customer_id) VALUES ($1) ON CONFLICT (customer_id) DO NOTHING`,
      [customerId],
    );
    row = await select();
  }
  // Stale reads (the lock waited for a writer): once more, now that no one else can write this account.
  if (!row.fresh) row = await select();
  return toReadForWrite(row);
}

/**
 * What `lockForWrite` reads, without the lock (a statement of its own, no transaction needed), and the account
 * row's xmin to gate a write on (`LoyaltyLedger.debitWith`); with `userId`, the user (`UncheckedUser.column`: null
 * unless active). `customer: null`: no customer; `account: null`: none yet.
 */
export async function readForWrite(
  manager: EntityManager | DataSource | PooledClient,
  customerId: string,
  idempotency: { scope: string; key: string },
  rewardId: string | null,
  userId: string | null = null,
): Promise<
  { user: ActiveUserRow | null } & (
    | { customer: null; account: null }
    | { customer: { homeRooftopId: string }; account: null }
    | (ReadForWrite & { rowXmin: string })
  )
> {
  const [row] = await preparedQuery<ReadRow>(manager, READ_FOR_WRITE_SQL, [
    customerId,
    idempotency.scope,
    idempotency.key,
    rewardId,
    userId,
  ]);
  const user = row.user ?? null;
  if (row.homeRooftopId === null) return { user, customer: null, account: null };
  if (row.customerId == null) return { user, customer: { homeRooftopId: row.homeRooftopId }, account: null };
  return { user, ...toReadForWrite(row), rowXmin: row.rowXmin! };
}
