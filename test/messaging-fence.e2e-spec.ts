import { DataSource, type QueryRunner } from 'typeorm';
import { dataSourceOptions } from '../src/database/data-source';
import { LEASE_SECONDS } from '../src/messaging/dispatcher.service';
import { RECORD_OUTCOMES } from '../src/messaging/outcome-statement';
import {
  enqueue,
  holdEachReply,
  insertCustomer,
  outboxRow,
  ownDispatcher,
} from './support/messaging-fixtures';
import { startSmtpSink, type SmtpSink } from './support/smtp-sink';
import { startTestApp, type TestApp } from './support/test-app';

// 03:00Z is 10:00 in Phnom Penh: inside the default 08:00–20:00 sending window.
const T = new Date('2026-06-15T03:00:00Z');
const MIN = 60_000;

/**
 * The outcome write is fenced (`WHERE m.id AND m.fence = <the claim's fence> AND m.status = 'sending'`).
 * The status half alone stops a stale worker that reports after the newer attempt is recorded; only the
 * fence stops one that reports while the newer claim is still sending (the row is 'sending' either way).
 * That is the case here: worker A's lease runs out while its SMTP reply is held, worker B takes the row
 * over and sends, A's reply comes and A reports while B's reply is still held, then B reports.
 */
describe('messaging: a stale worker reporting while a newer claim is still sending', () => {
  let t: TestApp;
  let sink: SmtpSink;
  let rooftopId: string;

  beforeAll(async () => {
    sink = await startSmtpSink();
    t = await startTestApp({
      now: T.toISOString(),
      env: { SMTP_URL: sink.url, MAIL_FROM: 'Dealer CRM <no-reply@crm.example>' },
    });
    rooftopId = (await t.rooftop({ name: 'Phnom Penh Motors' })).id;
  });
  afterAll(async () => {
    await t.close();
    await sink.close();
  });
  beforeEach(() => {
    sink.reset();
    t.clock.set(T);
  });

  /** Another instance: a dispatcher on a connection pool and an SMTP pool of its own. */
  const instance = async (workerId: string) => {
    const db = new DataSource(dataSourceOptions(t.config.DATABASE_URL!, 2));
    await db.initialize();
    const { d, transport } = ownDispatcher(t, db);
    d.workerId = workerId;
    return {
      d,
      close: async () => {
        transport.close();
        await db.destroy();
      },
    };
  };

  const attemptLog = (id: string) =>
    t.db.query(
      `SELECT attempt, fence::int AS fence, worker, outcome, smtp_code FROM message_attempt
        WHERE message_id = $1 ORDER BY attempt`,
      [id],
    );
  const bouncing = async (customerId: string): Promise<boolean> =>
    (await t.db.query(`SELECT email_bouncing FROM customer WHERE id = $1`, [customerId]))[0].email_bouncing;

  /**
   * Runs `fn` on a connection inside a transaction (rolled back after it) that holds 2,000 messages of which 200
   * in flight (the rest `others`), counted by ANALYZE, with RECORD_OUTCOMES prepared as `name` (deallocated after).
   */
  const withOutcomeStatement = async (
    name: string,
    others: 'sent' | 'suppressed',
    fn: (runner: QueryRunner) => Promise<void>,
    planCacheMode?: 'force_generic_plan',
  ) => {
    const customerId = await insertCustomer(t.db, rooftopId);
    const runner = t.db.createQueryRunner();
    await runner.connect();
    try {
      await runner.startTransaction();
      await runner.query(
        `INSERT INTO outbox_message (dedupe_key, rooftop_id, customer_id, kind, purpose, payload, scheduled_at,
                                     next_attempt_at, status)
         SELECT $4 || ':' || g, $1, $2, 'transactional', 'transactional', '{}', $3, $3,
                CASE WHEN g % 10 = 0 THEN 'sending' ELSE $5 END
           FROM generate_series(1, 2000) g`,
        [rooftopId, customerId, T, name, others],
      );
      await runner.query('ANALYZE outbox_message');
      if (planCacheMode) await runner.query(`SET LOCAL plan_cache_mode = ${planCacheMode}`);
      await runner.query(`PREPARE ${name} AS ${RECORD_OUTCOMES}`);
      await fn(runner);
    } finally {
      await runner.query(`DEALLOCATE ${name}`).catch(() => undefined);
      await runner.rollbackTransaction().catch(() => undefined);
      await runner.release();
    }
  };

  /**
   * The outcome statement runs prepared (planned once, generically) while the end gates' permits wait for it. Its
   * rows are to be found by primary key: planned with `status = 'sending'` as an indexable test, the few rows in
   * flight looked cheaper and every outcome group read all of them through outbox_message_status_idx.
   */
  it('the outcome statement, planned generically, finds its rows by primary key, not by reading every row in flight', async () => {
    await withOutcomeStatement(
      'outcome_plan',
      'suppressed',
      async (runner) => {
        const args = Array.from({ length: 19 }, (_, k) => (k === 15 ? '48' : `'{}'`)).join(', ');
        const rows: { 'QUERY PLAN': string }[] = await runner.query(`EXPLAIN EXECUTE outcome_plan(${args})`);
        const plan = rows.map((r) => r['QUERY PLAN']).join('\n');
        expect(plan).toContain('Index Scan using outbox_message_pkey on outbox_message');
        expect(plan).not.toContain('outbox_message_status_idx');
      },
      'force_generic_plan',
    );
  });

  /**
   * Left to choose (plan_cache_mode auto), PostgreSQL keeps the outcome statement's generic plan after its first
   * 5 executions instead of planning every group anew (~0.4 ms of planning per statement, as much as executing it).
   */
  it('the prepared outcome statement keeps its generic plan instead of planning each group', async () => {
    await withOutcomeStatement('outcome_cached', 'sent', async (runner) => {
      // A group of 2 outcomes (of rows that do not exist: nothing is written), as the bench's groups are.
      const two = (a: string, b = a) => `'{${a},${b}}'`;
      const args = [
        two('00000000-0000-4000-8000-0000000000a1', '00000000-0000-4000-8000-0000000000a2'),
        two('1'),
        two('sent'),
        two('2026-06-15T03:00:00Z'),
        ...Array.from({ length: 5 }, () => two('x')),
        two('60'),
        two('f'),
        two('sent'),
        two('NULL'),
        two('NULL'),
        two('email'),
        '48',
        `'{}'`,
        `'{}'`,
        `'{}'`,
      ].join(', ');
      for (let i = 0; i < 8; i++) await runner.query(`EXECUTE outcome_cached(${args})`);
      const [plans]: { generic_plans: string; custom_plans: string }[] = await runner.query(
        `SELECT generic_plans, custom_plans FROM pg_prepared_statements WHERE name = 'outcome_cached'`,
      );
      expect({ generic: Number(plans.generic_plans), custom: Number(plans.custom_plans) }).toEqual({
        generic: 3,
        custom: 5,
      });
    });
  });

  it.each([
    {
      what: 'a stale refusal (550) neither fails the row nor marks the address bouncing; the newer delivery is recorded',
      stale: { code: 550, message: '5.1.1 Mailbox unavailable' },
      newer: null,
      summary: { sent: 1 },
      attempt: { outcome: 'sent', smtp_code: null },
    },
    {
      what: 'a stale delivery (250) does not mark the row sent; the newer attempt’s 451 schedules the retry',
      stale: null,
      newer: { code: 451, message: '4.3.0 Try again later' },
      summary: { retry: 1 },
      attempt: { outcome: 'temporary_failure', smtp_code: 451 },
    },
  ])('$what', async ({ stale, newer, summary, attempt }) => {
    const customerId = await insertCustomer(t.db, rooftopId);
    const id = await enqueue(t.db, { rooftopId, customerId });
    const replies = holdEachReply(sink);
    const a = await instance('worker-A');
    const b = await instance('worker-B');
    const runs: Promise<unknown>[] = [];
    try {
      // A claims the row and sends; the server holds its reply.
      const runA = a.d.dispatch(t.clock.now());
      runs.push(runA);
      const heldA = await replies.next();
      const claimedByA = await outboxRow(t.db, id);
      expect(claimedByA).toMatchObject({ status: 'sending', lease_owner: 'worker-A', attempts: 1 });

      // While A's lease holds, B gets nothing.
      t.clock.advance((LEASE_SECONDS - 1) * 1000);
      expect(await b.d.dispatch(t.clock.now())).toMatchObject({ claimed: 0 });

      // A's lease runs out: B takes the row over with a higher fence and sends; its reply is held too.
      t.clock.advance(2_000);
      const later = t.clock.now();
      const runB = b.d.dispatch(later);
      runs.push(runB);
      const heldB = await replies.next();
      const fenceB = Number(claimedByA.fence) + 1;
      const messageId = `<${id}@crm.example>`;
      for (const held of [heldA, heldB]) expect(held.raw.toString('latin1')).toContain(messageId);

      // A's reply comes and A reports while B is still sending: A's outcome changes nothing.
      heldA.answer(stale);
      expect(await runA).toMatchObject({ claimed: 1, lost: 1, sent: 0, retry: 0, failed: 0 });
      const whileBSends = await outboxRow(t.db, id);
      expect(whileBSends).toMatchObject({
        status: 'sending',
        status_reason: null,
        attempts: 2,
        lease_owner: 'worker-B',
        sent_at: null,
        last_error: null,
      });
      expect(Number(whileBSends.fence)).toBe(fenceB);
      expect(Number(whileBSends.approved_fence)).toBe(fenceB);
      // B's lease runs from B's claim: the run's business time moves on with the wall clock from `later` (a claim
      // waits for queued outcomes first), so the claim is as of `later` or a little after, as its attempt records.
      const [claimB] = await t.db.query(
        `SELECT started_at FROM message_attempt WHERE message_id = $1 AND fence = $2`,
        [id, fenceB],
      );
      expect(new Date(claimB.started_at).getTime()).toBeGreaterThanOrEqual(later.getTime());
      expect(new Date(whileBSends.lease_until)).toEqual(
        new Date(new Date(claimB.started_at).getTime() + LEASE_SECONDS * 1000),
      );
      expect(await bouncing(customerId)).toBe(false);
      expect(await attemptLog(id)).toEqual([
        { attempt: 1, fence: fenceB - 1, worker: 'worker-A', outcome: 'lease_expired', smtp_code: null },
        { attempt: 2, fence: fenceB, worker: 'worker-B', outcome: null, smtp_code: null },
      ]);

      // B's reply comes: B's outcome is the one recorded.
      heldB.answer(newer);
      expect(await runB).toMatchObject({ claimed: 1, lost: 0, ...summary });
      const row = await outboxRow(t.db, id);
      expect(Number(row.fence)).toBe(fenceB);
      expect(row).toMatchObject({ attempts: 2, lease_owner: null, lease_until: null });
      if (newer === null) {
        expect(row).toMatchObject({ status: 'sent', status_reason: null, last_error: null });
        expect(new Date(row.sent_at)).toEqual(later);
      } else {
        expect(row).toMatchObject({ status: 'pending', status_reason: 'retry_scheduled', sent_at: null });
        expect(row.last_error).toContain('451');
        // The second attempt's back-off (2 min) from B's time, not the first's from A's.
        expect(new Date(row.next_attempt_at)).toEqual(new Date(later.getTime() + 2 * MIN));
      }
      expect(await bouncing(customerId)).toBe(false);
      expect(await attemptLog(id)).toEqual([
        { attempt: 1, fence: fenceB - 1, worker: 'worker-A', outcome: 'lease_expired', smtp_code: null },
        { attempt: 2, fence: fenceB, worker: 'worker-B', ...attempt },
      ]);
      expect(sink.attempts).toBe(2);
    } finally {
      replies.acceptAll();
      await Promise.allSettled(runs);
      await a.close();
      await b.close();
    }
  });
});
