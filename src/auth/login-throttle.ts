import { HttpStatus, Injectable } from '@nestjs/common';
import { isIPv4, isIPv6 } from 'node:net';
import { DataSource } from 'typeorm';
import { Clock } from '../common/clock';
import { DomainError } from '../common/problem/domain-error';
import { AppConfig } from '../config/app-config';

export class TooManyAttemptsError extends DomainError {
  constructor(retryAfter: number) {
    super(
      HttpStatus.TOO_MANY_REQUESTS,
      'too_many_login_attempts',
      'Too many failed logins; wait and try again',
      [],
      { retryAfter },
    );
  }
}

/** A login attempt that was let through: which counters it took, to give them back if it succeeds. */
export interface LoginTicket {
  keys: string[];
  pairKey: string;
}

/** How long a successful login from an address exempts that (account, address) pair from the account budget. */
const TRUSTED_PAIR_DAYS = 30;
/** Expired counters deleted by each attempt; as each attempt adds at most three rows, the table stays bounded. */
const PRUNE_BATCH = 100;

/**
 * The client address as a bucket: IPv4 as is (also when IPv4-mapped), IPv6 by its /64 (one host usually
 * owns a whole /64, so single addresses would be free to rotate).
 */
export function addressBucket(ip: string | undefined): string {
  if (!ip) return 'unknown';
  const mapped = /^::ffff:(\d{1,3}(?:\.\d{1,3}){3})$/i.exec(ip);
  if (mapped && isIPv4(mapped[1])) return mapped[1];
  if (isIPv4(ip)) return ip;
  if (!isIPv6(ip)) return ip.slice(0, 100);
  let s = ip.split('%')[0].toLowerCase();
  const v4 = /(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(s);
  if (v4) {
    const [a, b, c, d] = v4.slice(1).map(Number);
    s = `${s.slice(0, v4.index)}${((a << 8) | b).toString(16)}:${((c << 8) | d).toString(16)}`;
  }
  const [head, tail] = s.split('::');
  const front = head ? head.split(':') : [];
  const back = tail === undefined ? [] : tail ? tail.split(':') : [];
  const groups =
    tail === undefined
      ? front
      : [...front, ...Array<string>(8 - front.length - back.length).fill('0'), ...back];
  return `${groups
    .slice(0, 4)
    .map((g) => parseInt(g, 16).toString(16))
    .join(':')}::/64`;
}

interface TakeRow {
  pair_key: string;
  account_key: string;
  address_key: string;
  pair_hits: number;
  pair_retry: number;
  trusted: boolean;
  account_hits: number | null;
  account_retry: number | null;
  address_hits: number | null;
  address_retry: number | null;
}

/**
 * Login rate limiting (docs/security.md "Logins and passwords"). Three fixed-window counters, taken in
 * one statement BEFORE the password is checked, so that parallel guesses cannot all pass a check that
 * has not yet seen the others (each `INSERT … ON CONFLICT DO UPDATE … RETURNING` increments under the
 * row's lock and returns the new count):
 * - per (account, address) pair: LOGIN_RATE_LIMIT per LOGIN_RATE_WINDOW_SECONDS;
 * - per account, all addresses: LOGIN_ACCOUNT_LIMIT per LOGIN_ACCOUNT_WINDOW_SECONDS — except from an
 *   address the user logged in from in the last 30 days, so that an attacker elsewhere cannot lock the
 *   user out of their usual address;
 * - per address, all accounts: LOGIN_ADDRESS_LIMIT per LOGIN_ADDRESS_WINDOW_SECONDS (spraying).
 * An attempt refused on its pair takes nothing from the account and address budgets (else one address
 * could spend the account budget without a single password check). A success gives its counts back.
 * The account is `lower(email)` in SQL — the same normalisation as the user lookup, so `İris@…` and
 * `iris@…` share a bucket exactly when they would find the same user. Keys are SHA-256 hashes.
 */
@Injectable()
export class LoginThrottle {
  constructor(
    private readonly db: DataSource,
    private readonly config: AppConfig,
    private readonly clock: Clock,
  ) {}

  /** Counts the attempt; throws TooManyAttemptsError (429) when any budget is spent. */
  async take(email: string, ip: string | undefined): Promise<LoginTicket> {
    const c = this.config;
    const now = '$3::timestamptz';
    const windows = {
      pair: 'make_interval(secs => $4::int)',
      account: 'make_interval(secs => $6::int)',
      address: 'make_interval(secs => $7::int)',
    };
    // One counter: a new window starts when the current one is over; `expires_at` keeps a trusted pair.
    const counter = (name: keyof typeof windows, where: string) => {
      const w = windows[name];
      const current = `t.window_start > ${now} - ${w}`;
      return `${name} AS (
         INSERT INTO login_throttle AS t (key, window_start, hits, expires_at)
         SELECT k.${name}, ${now}, 1, ${now} + ${w} FROM ${where}
         ON CONFLICT (key) DO UPDATE SET
           hits = CASE WHEN ${current} THEN t.hits + 1 ELSE 1 END,
           window_start = CASE WHEN ${current} THEN t.window_start ELSE ${now} END,
           expires_at = greatest(CASE WHEN ${current} THEN t.window_start ELSE ${now} END + ${w}, t.trusted_until)
         RETURNING t.hits, ceil(extract(epoch FROM t.window_start + ${w} - ${now}))::int AS retry,
                   coalesce(t.trusted_until > ${now}, false) AS trusted
       )`;
    };
    const [row]: TakeRow[] = await this.db.query(
      `WITH k AS (
         SELECT encode(sha256(convert_to('pair:' || lower($1::text) || '|' || $2::text, 'UTF8')), 'hex') AS pair,
                encode(sha256(convert_to('account:' || lower($1::text), 'UTF8')), 'hex') AS account,
                encode(sha256(convert_to('address:' || $2::text, 'UTF8')), 'hex') AS address
       ),
       -- Opportunistic pruning: the oldest expired counters, never the ones this statement takes.
       pruned AS (
         DELETE FROM login_throttle WHERE key IN (
           SELECT t.key FROM login_throttle t, k
            WHERE t.expires_at < ${now} AND t.key NOT IN (k.pair, k.account, k.address)
            ORDER BY t.expires_at LIMIT ${PRUNE_BATCH} FOR UPDATE OF t SKIP LOCKED)
       ),
       ${counter('pair', 'k')},
       ${counter('account', 'k, pair WHERE pair.hits <= $5::int AND NOT pair.trusted')},
       ${counter('address', 'k, pair WHERE pair.hits <= $5::int')}
       SELECT k.pair AS pair_key, k.account AS account_key, k.address AS address_key,
              pair.hits AS pair_hits, pair.retry AS pair_retry, pair.trusted,
              account.hits AS account_hits, account.retry AS account_retry,
              address.hits AS address_hits, address.retry AS address_retry
         FROM k CROSS JOIN pair LEFT JOIN account ON true LEFT JOIN address ON true`,
      [
        email,
        addressBucket(ip),
        this.clock.now(),
        c.LOGIN_RATE_WINDOW_SECONDS,
        c.LOGIN_RATE_LIMIT,
        c.LOGIN_ACCOUNT_WINDOW_SECONDS,
        c.LOGIN_ADDRESS_WINDOW_SECONDS,
      ],
    );
    const retry = (seconds: number | null) => Math.max(1, seconds ?? 1);
    if (row.pair_hits > c.LOGIN_RATE_LIMIT) throw new TooManyAttemptsError(retry(row.pair_retry));
    if (row.account_hits !== null && row.account_hits > c.LOGIN_ACCOUNT_LIMIT)
      throw new TooManyAttemptsError(retry(row.account_retry));
    if (row.address_hits !== null && row.address_hits > c.LOGIN_ADDRESS_LIMIT)
      throw new TooManyAttemptsError(retry(row.address_retry));
    const keys = [row.pair_key, row.address_key];
    if (row.account_hits !== null) keys.push(row.account_key);
    return { keys, pairKey: row.pair_key };
  }

  /**
   * A successful login is not a failure: its counts are given back, and the pair is trusted for 30 days
   * (exempt from the account budget).
   */
  async succeeded(ticket: LoginTicket): Promise<void> {
    await this.db.query(
      `UPDATE login_throttle SET hits = greatest(hits - 1, 0),
              trusted_until = CASE WHEN key = $2 THEN $3::timestamptz + make_interval(days => $4) ELSE trusted_until END,
              expires_at = CASE WHEN key = $2 THEN greatest(expires_at, $3::timestamptz + make_interval(days => $4)) ELSE expires_at END
        WHERE key = ANY($1)`,
      [ticket.keys, ticket.pairKey, this.clock.now(), TRUSTED_PAIR_DAYS],
    );
  }
}
