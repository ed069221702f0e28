import { DataSource } from 'typeorm';
import { dataSourceOptions } from '../../src/database/data-source';
import { enqueue, holdEachReply, insertCustomer, ownDispatcher } from '../support/messaging-fixtures';
import { startSmtpSink, type SmtpSink } from '../support/smtp-sink';
import { startTestApp, type TestApp } from '../support/test-app';

// 03:00Z is 10:00 in Phnom Penh: inside the default 08:00–20:00 sending window.
const T = new Date('2026-06-15T03:00:00Z');
/** A short lease so that the run outlives it in test time (the guards scale with it: start ≤ L/2, end ≤ 2L/3). */
const LEASE_S = 6;

const messageIdOf = (raw: Buffer) => /^Message-ID: (<[^>]+>)/im.exec(raw.toString('latin1'))![1];

/**
 * Duplicates without a kill (the fault suite's "other"). A dispatch run is a job run "as of" one instant: every
 * claim it makes writes `lease_until = asOf + lease`, however long the run has been going, while the pipeline
 * times its own guards (start by L/2, end of DATA by 2L/3) from the wall-clock instant of each claim. A run that
 * lasts longer than the lease (2,000 messages per run under load) therefore claims rows whose lease has already
 * ended in the database and sends them; another instance's next run (a later asOf) takes the same rows over as
 * orphans and sends them too. Both workers are alive; the SMTP server receives the message twice.
 */
describe('a dispatch run that outlives its lease (no kill)', () => {
  let t: TestApp;
  let sink: SmtpSink;
  let rooftopId: string;
  const pools: DataSource[] = [];

  beforeAll(async () => {
    sink = await startSmtpSink();
    t = await startTestApp({
      now: T.toISOString(),
      env: { SMTP_URL: sink.url, MAIL_FROM: 'Dealer CRM <no-reply@crm.example>' },
    });
    rooftopId = (await t.rooftop({ name: 'Phnom Penh Motors' })).id;
  });
  afterAll(async () => {
    for (const db of pools) await db.destroy();
    await t.close();
    await sink.close();
  });

  /** Another instance: a dispatcher on a connection pool and an SMTP pool of its own. */
  const instance = async (workerId: string) => {
    const db = new DataSource(dataSourceOptions(t.config.DATABASE_URL!, 3));
    await db.initialize();
    pools.push(db);
    const { d, transport } = ownDispatcher(t, db);
    d.workerId = workerId;
    d.leaseSeconds = LEASE_S;
    return { d, transport };
  };

  it('never lets another live instance take over and re-send a row that a long run claimed late', async () => {
    const ids: string[] = [];
    for (let i = 0; i < 5; i++)
      ids.push(await enqueue(t.db, { rooftopId, customerId: await insertCustomer(t.db, rooftopId) }));
    const b = await instance('instance-b');
    const a = await instance('instance-a');
    b.d.batchSize = 1;
    b.d.concurrency = 1;
    // Business time runs with the wall clock, as on a live server: a cron tick's asOf is the instant it fires.
    const w0 = Date.now();
    const businessNow = () => new Date(T.getTime() + (Date.now() - w0));
    const held = holdEachReply(sink);

    // Instance B starts a run as of T. Its first message's reply is slow (the SMTP server, an event-loop or
    // database stall under load): the run is still going when a lease taken at its start has ended.
    const runB = b.d.dispatch(T);
    const first = await held.next();
    // (Waits until a lease taken at the run's start has ended: this only lets time pass, it asserts nothing.)
    while (Date.now() <= w0 + LEASE_S * 1000 + 500) await new Promise((r) => setTimeout(r, 100));
    first.answer(null);

    // B goes on: its queued claims are stale by its own guard and handed back; it claims again and sends. That
    // claim is seconds old by the pipeline's clock, but its lease in the database is asOf + lease: already over.
    const late = await held.next();
    const lateId = messageIdOf(late.raw);

    // Instance A's next tick, as of now, while B's late message waits for its reply. Everything A sends is
    // answered at once; B's late message is answered after A's run.
    const ended: string[] = [messageIdOf(first.raw), lateId];
    let answering = true;
    const answerer = (async () => {
      let next = held.next();
      while (answering) {
        const h = await Promise.race([next, new Promise<null>((r) => setTimeout(() => r(null), 50))]);
        if (!h) continue;
        next = held.next();
        ended.push(messageIdOf(h.raw));
        h.answer(null);
      }
    })();
    await a.d.dispatch(businessNow());
    late.answer(null);
    await runB;
    answering = false;
    await answerer;
    // Whatever is still due (handed back by B, not taken by A) goes out now, so every row ends.
    held.acceptAll();
    sink.respond(() => null);
    sink.onEnd = null;
    await a.d.dispatch(businessNow());
    a.transport.close();
    b.transport.close();

    // The attempt that sent B's late message, as recorded: B's own (its outcome not fenced off by a takeover).
    const sentBy: { worker: string }[] = await t.db.query(
      `SELECT a.worker FROM message_attempt a JOIN outbox_message m ON m.id = a.message_id
        WHERE m.message_id = $1 AND a.outcome = 'sent'`,
      [lateId],
    );
    const twice = [...new Set(ended)].filter((id) => ended.filter((e) => e === id).length > 1);
    // No message reached the SMTP server twice, and the message B was sending stayed B's. (A claim still queued
    // at B when its lease ended may be taken over, by A or by B's own next claim: B's lane never sends it, its
    // start guard having passed.)
    expect(twice).toEqual([]);
    expect(sentBy).toEqual([{ worker: 'instance-b' }]);
    const rows: { status: string }[] = await t.db.query(
      `SELECT status FROM outbox_message WHERE id = ANY($1::uuid[])`,
      [ids],
    );
    expect(rows.map((r) => r.status)).toEqual(ids.map(() => 'sent'));
  }, 60_000);
});
