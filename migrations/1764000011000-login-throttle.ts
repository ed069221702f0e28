import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Login rate limiting as counters (docs/security.md "Logins and passwords"): one row per bucket — an
 * (account, address) pair, an account, an address — taken atomically with `INSERT … ON CONFLICT DO UPDATE
 * … RETURNING` before the password is checked. Keys are SHA-256 hashes, so typed emails and client
 * addresses are not kept in clear. A pair row also remembers a successful login from that address
 * (`trusted_until`), which exempts it from the account-wide budget. Replaces `login_attempt` (one row
 * per failure, counted then inserted in two statements: not atomic, and never pruned).
 */
export class LoginThrottle1764000011000 implements MigrationInterface {
  name = 'LoginThrottle1764000011000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE login_throttle (
        key text PRIMARY KEY,
        window_start timestamptz NOT NULL,
        hits int NOT NULL,
        trusted_until timestamptz,
        expires_at timestamptz NOT NULL
      )`);
    // Pruning takes the oldest expired rows first.
    await q.query(`CREATE INDEX login_throttle_expires_idx ON login_throttle (expires_at)`);
    await q.query(`DROP TABLE IF EXISTS login_attempt`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE IF EXISTS login_throttle`);
    await q.query(`
      CREATE TABLE login_attempt (
        id bigserial PRIMARY KEY,
        key text NOT NULL,
        at timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`CREATE INDEX login_attempt_key_at_idx ON login_attempt (key, at)`);
  }
}
