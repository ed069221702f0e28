/**
 * The hand-written durable dispatch baseline (issue 16): what this machine can do WITH the bound the app keeps
 * (a kill -9 re-sends at most `permits` messages per channel), written from the SPEC, not from the app.
 *  - claim: one statement takes a batch of due outbox rows (`UPDATE … FROM (SELECT … FOR UPDATE SKIP LOCKED)
 *    … RETURNING` the fence and the customer's address on the channel), the next batch claimed while the lanes
 *    drain the current one;
 *  - send: `lanes` loops hand each row to the channel with the same client library as the app; the act that
 *    completes a message (SMTP's end of DATA, the submit_sm, the Bot API request) happens only under one of
 *    `permits` permits, held until that message's outcome is committed;
 *  - record: one statement per group (whatever finished while the previous group was being written) marks the
 *    rows sent, fenced (`WHERE id AND fence AND status = 'sending'`), with their content, an attempt row each
 *    and the channel's provider refs.
 * No sending rules, no rendering (the bench gives it the app's own texts): durable ÷ bare is the price of the
 * bound alone, app ÷ durable the price of everything else. Prepared statements over `pg` directly.
 */
import { Transform, type TransformCallback } from 'node:stream';
import { createTransport } from 'nodemailer';
import type Mail from 'nodemailer/lib/mailer';
import { Pool } from 'pg';
import type { CaseResult } from './run';
import { median, ratioRange } from './support';

export type DurableChannel = 'email' | 'sms' | 'telegram';

/** A claimed row: `to` is the customer's address on the channel (email, phone, Telegram chat id). */
export interface DurableRow {
  id: string;
  fence: number;
  to: string;
}

/** What a send accepted: the channel's ids (SMPP message_id per part, Telegram message_id) and the content. */
export interface DurableSent {
  refs: string[];
  subject: string | null;
  html: string | null;
  text: string | null;
}

/**
 * Sends row `k` of the run; calls `end()` right before the act that completes the message and awaits it (it
 * waits for a permit). Throws when the channel refuses (the bench's peers accept everything).
 */
export type DurableSend = (row: DurableRow, k: number, end: () => Promise<void>) => Promise<DurableSent>;

export interface DurableStats {
  sent: number;
  ms: number;
  claims: number;
  groups: number;
  /** Mean rows per outcome statement. */
  meanGroup: number;
  /** Mean milliseconds of one outcome statement (client round trip) and of one claim. */
  outcomeMs: number;
  claimMs: number;
  /** Mean milliseconds a permit was held (from the act that completes a message to its committed outcome). */
  permitHeldMs: number;
}

const CLAIM = `
  WITH due AS (
    SELECT id FROM outbox_message
     WHERE status = 'pending' AND next_attempt_at <= $1
     ORDER BY next_attempt_at
     LIMIT $2
     FOR UPDATE SKIP LOCKED)
  UPDATE outbox_message m
     SET status = 'sending', lease_owner = $3, lease_until = $1::timestamptz + interval '60 seconds',
         fence = m.fence + 1, attempts = m.attempts + 1, channel = $4, updated_at = now()
    FROM due, customer c
   WHERE m.id = due.id AND c.id = m.customer_id
  RETURNING m.id, m.fence,
            CASE $4 WHEN 'email' THEN c.email WHEN 'sms' THEN c.phone ELSE c.telegram_chat_id::text END AS to`;

const RECORD = `
  WITH v AS (
    -- (SELECT $1): the same row estimate in custom and generic plans, so the generic plan is kept (as the app's).
    SELECT * FROM unnest((SELECT $1::uuid[]), $2::bigint[], $3::text[], $4::text[], $5::text[], $6::text[])
      AS v(id, fence, subject, html, text_body, refs)
  ), upd AS (
    UPDATE outbox_message m
       SET status = 'sent', sent_at = $7, first_attempt_at = coalesce(m.first_attempt_at, $7),
           subject = v.subject, html_body = v.html, text_body = v.text_body,
           lease_owner = NULL, lease_until = NULL, updated_at = now()
      FROM v WHERE m.id = v.id AND m.fence = v.fence AND m.status = 'sending'
    RETURNING m.id, m.fence, m.attempts, v.refs
  ), attempt AS (
    INSERT INTO message_attempt (message_id, attempt, fence, worker, started_at, finished_at, outcome, channel)
    SELECT id, attempts, fence, $8, $7, $7, 'sent', $9 FROM upd
  ), refs AS (
    INSERT INTO message_provider_ref (channel, ref, message_id, fence)
    SELECT $9, r.ref, upd.id, upd.fence FROM upd, unnest(string_to_array(upd.refs, ',')) AS r(ref)
  )
  SELECT count(*)::int AS n FROM upd`;

/** A FIFO counting semaphore. */
class Permits {
  private free: number;
  private readonly waiting: (() => void)[] = [];
  constructor(n: number) {
    this.free = n;
  }
  acquire(): Promise<void> {
    if (this.free > 0) {
      this.free -= 1;
      return Promise.resolve();
    }
    return new Promise((resolve) => this.waiting.push(resolve));
  }
  release(): void {
    const next = this.waiting.shift();
    if (next) next();
    else this.free += 1;
  }
}

interface Done {
  row: DurableRow;
  sent: DurableSent;
  heldSince: number;
}

/** Drains every row due at `asOf` on `channel`; resolves once every outcome is committed. */
export async function durableDispatch(
  pool: Pool,
  channel: DurableChannel,
  asOf: Date,
  send: DurableSend,
  /** `writers`: outcome statements in flight at once (1: a group commit waits for the one before it). */
  shape = { lanes: 5, permits: 5, batchSize: 100, writers: 1 },
): Promise<DurableStats> {
  const started = process.hrtime.bigint();
  const now = () => Number(process.hrtime.bigint() - started) / 1e6;
  const permits = new Permits(shape.permits);
  const stats = { sent: 0, claims: 0, groups: 0, rows: 0, outcomeMs: 0, claimMs: 0, heldMs: 0 };
  const worker = `hand-written:${process.pid}`;

  const queue: DurableRow[] = [];
  let exhausted = false;
  let claiming: Promise<void> | null = null;
  const claimNext = () =>
    (claiming ??= (async () => {
      const t = now();
      const { rows } = await pool.query<{ id: string; fence: string; to: string }>({
        name: 'hand-written-claim',
        text: CLAIM,
        values: [asOf, shape.batchSize, worker, channel],
      });
      stats.claimMs += now() - t;
      stats.claims += 1;
      for (const r of rows) queue.push({ id: r.id, fence: Number(r.fence), to: r.to });
      if (rows.length < shape.batchSize) exhausted = true;
    })().finally(() => (claiming = null)));

  let done: Done[] = [];
  const writing = new Set<Promise<void>>();
  const flush = () => {
    if (done.length === 0 || writing.size >= shape.writers) return;
    const writer = write().finally(() => writing.delete(writer));
    writing.add(writer);
  };
  const write = async () => {
    while (done.length > 0) {
      const group = done;
      done = [];
      const t = now();
      await pool.query({
        name: 'hand-written-record',
        text: RECORD,
        values: [
          group.map((d) => d.row.id),
          group.map((d) => d.row.fence),
          group.map((d) => d.sent.subject),
          group.map((d) => d.sent.html),
          group.map((d) => d.sent.text),
          group.map((d) => d.sent.refs.join(',')),
          asOf,
          worker,
          channel,
        ],
      });
      const committed = now();
      stats.outcomeMs += committed - t;
      stats.groups += 1;
      stats.rows += group.length;
      for (const d of group) {
        stats.heldMs += committed - d.heldSince;
        permits.release();
      }
      stats.sent += group.length;
    }
  };

  let k = 0;
  const lane = async () => {
    for (;;) {
      if (queue.length <= shape.batchSize && !exhausted) void claimNext();
      while (queue.length === 0 && !exhausted) await claimNext();
      const row = queue.shift();
      if (!row) return;
      let heldSince = 0;
      const sent = await send(row, k++, async () => {
        await permits.acquire();
        heldSince = now();
      });
      done.push({ row, sent, heldSince });
      flush();
    }
  };
  await Promise.all(Array.from({ length: shape.lanes }, lane));
  while (writing.size > 0) await Promise.all(writing);
  return {
    sent: stats.sent,
    ms: now(),
    claims: stats.claims,
    groups: stats.groups,
    meanGroup: stats.rows / Math.max(1, stats.groups),
    outcomeMs: stats.outcomeMs / Math.max(1, stats.groups),
    claimMs: stats.claimMs / Math.max(1, stats.claims),
    permitHeldMs: stats.heldMs / Math.max(1, stats.sent),
  };
}

/**
 * The hand-written loop's own copy of the bench's due messages: `n` more outbox rows for the same customers (one
 * per customer of the bench), round r's due at `asOf` + 2r + 1 minutes: the bench's app rounds run as of the even
 * minutes, so that neither run takes the other's rows (each claims what is due as of its instant).
 */
export async function seedDurableRows(
  pool: Pool,
  kind: { kind: string; purpose: string; payload: string },
  perRound: number,
  asOf: Date,
): Promise<void> {
  await pool.query(
    `INSERT INTO outbox_message (dedupe_key, rooftop_id, customer_id, kind, purpose, payload, scheduled_at, next_attempt_at)
     SELECT 'durable:' || c.id, c.home_rooftop_id, c.id, $1, $2, $3::jsonb, c.due, c.due
       FROM (SELECT id, home_rooftop_id,
                    $4::timestamptz + interval '1 minute'
                      + (split_part(first_name, 'Customer', 2)::int / $5::int) * interval '2 minutes' AS due
               FROM customer) c`,
    [kind.kind, kind.purpose, kind.payload, asOf, perRound],
  );
}

/** The instant the hand-written loop's round r runs as of (see seedDurableRows). */
export const durableAsOf = (asOf: Date, round: number) => new Date(asOf.getTime() + (2 * round + 1) * 60_000);

/** The durable column of a case: its msg/s per round beside the app's and the bare loop's, and its own figures. */
export function durableColumn(app: number[], bare: number[], durable: number[], stats: DurableStats[]) {
  const r2 = (n: number) => Math.round(n * 100) / 100;
  return {
    value: Math.round(median(durable)),
    /** Per round durable ÷ bare: the price of the bound alone. */
    durableToBare: ratioRange(durable.map((d, i) => d / bare[i])),
    /** Per round app ÷ durable: the price of everything the app does beyond it. */
    appToDurable: ratioRange(app.map((a, i) => a / durable[i])),
    perRound: durable.map(Math.round),
    outcomeMs: r2(median(stats.map((s) => s.outcomeMs))),
    claimMs: r2(median(stats.map((s) => s.claimMs))),
    meanGroup: r2(median(stats.map((s) => s.meanGroup))),
    permitHeldMs: r2(median(stats.map((s) => s.permitHeldMs))),
  };
}

/** The durable loop's rounds of a channel case: each sends `perRound` messages; counted rounds keep their figures. */
export class DurableRounds {
  readonly rates: number[] = [];
  readonly stats: DurableStats[] = [];

  constructor(
    private readonly pool: Pool,
    private readonly channel: DurableChannel,
    private readonly asOf: Date,
    private readonly perRound: number,
  ) {}

  async run(round: number, counted: boolean, send: DurableSend): Promise<void> {
    const d = await durableDispatch(this.pool, this.channel, durableAsOf(this.asOf, round), send);
    if (d.sent !== this.perRound) throw new Error(`the durable loop sent ${d.sent} of ${this.perRound}`);
    if (!counted) return;
    this.rates.push(this.perRound / (d.ms / 1000));
    this.stats.push(d);
  }

  /** The figures every channel case reports: the app against its bare loop per round, and the durable column. */
  figures(app: number[], bare: number[], rounds: number, concurrency: number) {
    return {
      messages: this.perRound * rounds,
      rounds,
      perRound: this.perRound,
      unit: 'messages/s',
      value: Math.round(median(app)),
      baseline: Math.round(median(bare)),
      ratio: Math.round((median(app) / median(bare)) * 100) / 100,
      ratioRange: ratioRange(app.map((a, i) => a / bare[i])),
      durable: durableColumn(app, bare, this.rates, this.stats),
      concurrency,
    };
  }
}

/** A channel case's row of `npm run bench`: the app against the bare loop, and against the durable loop. */
export function channelCaseResult(
  name: string,
  goal: string,
  r: ReturnType<DurableRounds['figures']>,
  detail: Record<string, unknown>,
): CaseResult {
  return {
    case: name,
    value: r.value,
    unit: 'msg/s',
    baseline: r.baseline,
    ratio: r.ratio,
    ratioRange: r.ratioRange,
    handBaseline: r.durable.value,
    handRatio: r.durable.appToDurable.median,
    handRatioRange: r.durable.appToDurable,
    goal,
    met: r.ratio >= 0.8 && r.value >= 300,
    detail: { ...detail, concurrency: r.concurrency, durable: r.durable },
  };
}

/** The console lines every channel case prints after its own: the durable loop and the three ratios. */
export function durableTableRows(r: ReturnType<DurableRounds['figures']>) {
  return [
    { measure: 'hand-written durable loop (bound 5)', 'messages/s': r.durable.value },
    { measure: 'ratio app ÷ bare', 'messages/s': r.ratio },
    { measure: 'ratio durable ÷ bare', 'messages/s': r.durable.durableToBare.median },
    { measure: 'ratio app ÷ durable', 'messages/s': r.durable.appToDurable.median },
  ];
}

/**
 * A pooled nodemailer transport (`connections` connections) whose messages end (nodemailer writes the end of DATA,
 * the act after which the server has the message) only once the message's `beforeEnd` has settled.
 */
export function holdEndTransport(url: string, connections: number): Mail {
  const transport = createTransport({
    url,
    pool: true,
    maxConnections: connections,
  } as Parameters<typeof createTransport>[0]) as Mail;
  transport.use('stream', (mail, done) => {
    const beforeEnd = (mail.data as { beforeEnd?: () => Promise<void> }).beforeEnd;
    if (beforeEnd)
      mail.message.transform(
        () =>
          new Transform({
            transform: (chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback) =>
              callback(null, chunk),
            flush: (callback: TransformCallback) =>
              void beforeEnd().then(
                () => callback(),
                (e: unknown) => callback(e instanceof Error ? e : new Error(String(e))),
              ),
          }),
      );
    done();
  });
  return transport;
}
