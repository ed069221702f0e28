import { BeforeApplicationShutdown, Injectable, Logger } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import * as os from 'node:os';
import { DataSource } from 'typeorm';
import { AppConfig, LANGUAGES, type Language } from '../config/app-config';
import { MailTransport, type SendResult } from './mail-transport';
import type { MessagePurpose } from './outbox.service';
import { SendingRules, type RuleDecision, type RuleMessage } from './sending-rules';
import { TemplateRenderer, type RenderedEmail } from './template-renderer';
import { UnsubscribeLinks } from './unsubscribe-links';

/** Rows claimed per batch. */
export const DISPATCH_BATCH_SIZE = 100;
/**
 * How long a claim is held. Longer than the slowest SMTP exchange (socket timeout 30 s) so that a live
 * worker keeps its claim; a dead worker's claim is taken over after it.
 */
export const LEASE_SECONDS = 60;
/** Messages sent at the same time by one worker (the SMTP pool holds up to 5 connections). */
export const DISPATCH_CONCURRENCY = 5;
/** Batches per job run, so one run cannot go on for ever. */
export const MAX_BATCHES_PER_RUN = 20;
/** SPEC: 4xx / connection errors are retried with back-off from 1 min up to 6 h, for 48 h. */
export const RETRY_WINDOW_HOURS = 48;
const MIN_BACKOFF_MS = 60_000;
const MAX_BACKOFF_MS = 6 * 3_600_000;
/** A claim is not started later than this before its lease ends (the SMTP socket timeout plus a margin). */
const SEND_GUARD_MS = 35_000;
/** Outcomes written by one group-commit statement at most. */
const OUTCOME_GROUP_MAX = 200;
/** How long a failed outcome write is retried (well inside the claim lease). */
const OUTCOME_RETRY_MS = 15_000;
/**
 * A message is only completed (end of DATA) while its claim has at least this long left: the server's 250
 * and the outcome commit must land before another worker may take the row over.
 */
const END_GUARD_MS = 20_000;

export function backoffMs(attempt: number): number {
  return Math.min(MAX_BACKOFF_MS, MIN_BACKOFF_MS * 2 ** Math.max(0, attempt - 1));
}

export interface Claim {
  id: string;
  fence: number;
  attempts: number;
  workerId: string;
}

export type Outcome =
  'sent' | 'retry' | 'failed' | 'suppressed' | 'deferred' | 'lost' | 'handed_back' | 'error';

export interface DispatchSummary {
  claimed: number;
  sent: number;
  retry: number;
  failed: number;
  suppressed: number;
  deferred: number;
  lost: number;
  handed_back: number;
  error: number;
}

const emptySummary = (): DispatchSummary => ({
  claimed: 0,
  sent: 0,
  retry: 0,
  failed: 0,
  suppressed: 0,
  deferred: 0,
  lost: 0,
  handed_back: 0,
  error: 0,
});

interface LoadedMessage {
  id: string;
  customer_id: string;
  rooftop_id: string;
  vehicle_id: string | null;
  kind: string;
  purpose: MessagePurpose;
  payload: Record<string, unknown>;
  status: string;
  fence: string;
  first_name: string;
  last_name: string;
  email: string | null;
  customer_language: string;
  erased_at: Date | null;
  email_bouncing: boolean;
  rooftop_name: string;
  time_zone: string;
  address: string;
  phone: string;
  sender_email: string | null;
  sender_name: string | null;
  booking_url: string | null;
  currency: string;
  send_window_start: string;
  send_window_end: string;
}

interface Approved {
  message: LoadedMessage;
  messageId: string;
  language: Language;
}

/** An approved claim waiting for a sending lane. */
interface Ready {
  claim: Claim;
  approved: Approved;
  /** Wall-clock time after which the claim is handed back instead of sent (its lease may be running out). */
  sendBy: number;
  /** Wall-clock time after which the message is no longer completed (end of DATA withheld). */
  endBy: number;
}

/** One attempt's outcome, for the group-committed fenced outcome update. */
interface PendingOutcome {
  claim: Claim;
  asOf: Date;
  result: SendResult;
  rendered: RenderedEmail | null;
  failure: { bounce: boolean; reason?: string };
  resolve: (status: string | null) => void;
  reject: (e: unknown) => void;
}

/** A FIFO mutex: acquire() resolves with the function that releases it. */
class Gate {
  private tail: Promise<void> = Promise.resolve();
  acquire(): Promise<() => void> {
    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    const turn = this.tail.then(() => release);
    this.tail = this.tail.then(() => held);
    return turn;
  }
}

/** Resolves every waiter on notify(); lanes and the claim producer wait on it. */
class Signal {
  private waiters: (() => void)[] = [];
  wait(): Promise<void> {
    return new Promise((resolve) => this.waiters.push(resolve));
  }
  notify(): void {
    const waiters = this.waiters;
    this.waiters = [];
    for (const w of waiters) w();
  }
}

/**
 * Sends what the outbox holds, at most once in effect, with several workers and instances:
 *  1. claim: one statement takes due rows with FOR UPDATE SKIP LOCKED, marks them 'sending' under a lease,
 *     bumps their fence and opens their attempt rows (also taking over rows whose lease expired);
 *  2. check the sending rules for the whole claimed batch in one short transaction, under the advisory locks
 *     of its customers (taken in a fixed order) and the row locks, re-checking each fence;
 *  3. render and send outside any transaction, `concurrency` lanes (the SMTP pool size), while the next
 *     batch is claimed and checked in the background so the lanes never wait for the database;
 *  4. record outcomes fenced (`WHERE id AND fence AND status = 'sending'`) in group commits: whatever
 *     finished while the previous commit was in flight goes in the next single statement, so a worker whose
 *     lease expired and whose row was claimed again can never overwrite the newer attempt.
 * The end-of-DATA gate: the lanes stream their messages concurrently, but a message is completed (the final
 * `<CRLF>.<CRLF>` after which the SMTP server takes it) only by the holder of the process-wide gate, which
 * it keeps until that message's outcome is committed. So at most one message per process is ever accepted
 * by the server and not yet recorded: a crash (SIGKILL, power loss) re-sends at most one message.
 * A retry after an unknown outcome carries the same Message-ID, so a receiver can drop the duplicate.
 */
@Injectable()
export class DispatcherService implements BeforeApplicationShutdown {
  private readonly logger = new Logger('Dispatcher');
  workerId = `${os.hostname()}:${process.pid}:${randomUUID().slice(0, 8)}`;
  batchSize = DISPATCH_BATCH_SIZE;
  leaseSeconds = LEASE_SECONDS;
  concurrency = DISPATCH_CONCURRENCY;
  private stopping = false;
  private readonly running = new Set<Promise<unknown>>();
  private outcomes: PendingOutcome[] = [];
  private flushing: Promise<void> | null = null;
  /** Outcome writes are failing: lanes wait for the writer before starting another send. */
  private writerFailing = false;
  /** Held from the end of a message's DATA until its outcome is committed (see the class comment). */
  private readonly endGate = new Gate();

  constructor(
    private readonly db: DataSource,
    private readonly config: AppConfig,
    private readonly transport: MailTransport,
    private readonly rules: SendingRules,
    private readonly renderer: TemplateRenderer,
    private readonly links: UnsubscribeLinks,
  ) {}

  /** The 'outbox-dispatch' job: batches until nothing is due (or the run's batch budget is spent). */
  async dispatch(asOf: Date): Promise<DispatchSummary> {
    const summary = emptySummary();
    await this.track(this.pipeline(asOf, this.workerId, MAX_BATCHES_PER_RUN, summary));
    return summary;
  }

  /** Claims one batch and processes it; claims not started when shutdown begins are handed back. */
  async runBatch(asOf: Date, workerId = this.workerId): Promise<DispatchSummary> {
    const summary = emptySummary();
    await this.track(this.pipeline(asOf, workerId, 1, summary));
    return summary;
  }

  /**
   * Up to `maxBatches` batches: a producer claims and checks the next batch while the queue of approved
   * messages runs low; `concurrency` lanes send from the queue. Outcomes are awaited before returning.
   */
  private async pipeline(
    asOf: Date,
    workerId: string,
    maxBatches: number,
    summary: DispatchSummary,
  ): Promise<void> {
    if (this.stopping) return;
    const queue: Ready[] = [];
    const signal = new Signal();
    const recorded: Promise<void>[] = [];
    let producing = true;
    let failure: unknown = null;
    // The next batch is claimed and checked while at most a batch is still waiting, so lanes never starve.
    const lowWater = Math.max(this.concurrency, this.batchSize);
    // A claim is sent only while a send started now still ends well inside its lease.
    const leaseMs = this.leaseSeconds * 1000;
    const guardMs = Math.min(SEND_GUARD_MS, leaseMs / 2);
    const endGuardMs = Math.min(END_GUARD_MS, leaseMs / 3);

    const produce = async () => {
      try {
        for (let i = 0; i < maxBatches && !this.stopping; i++) {
          while (queue.length > lowWater && !this.stopping) await signal.wait();
          if (this.stopping) break;
          const claimedAt = Date.now();
          const claims = await this.claim(asOf, workerId, this.batchSize);
          summary.claimed += claims.length;
          if (claims.length > 0) {
            const checked = await this.approveAll(claims, asOf).catch(async (e: unknown) => {
              this.logger.error({ msg: 'sending-rule check of a batch failed', error: errorText(e) });
              await this.handBackAll(claims).catch(() => undefined);
              return claims.map(() => ({ outcome: 'error' as const }));
            });
            checked.forEach((c, k) => {
              if (c.outcome === 'approved')
                queue.push({
                  claim: claims[k],
                  approved: c.approved,
                  sendBy: claimedAt + leaseMs - guardMs,
                  endBy: claimedAt + leaseMs - endGuardMs,
                });
              else summary[c.outcome] += 1;
            });
            signal.notify();
          }
          if (claims.length < this.batchSize) break;
        }
      } catch (e) {
        failure = e;
      } finally {
        producing = false;
        signal.notify();
      }
    };

    const lane = async () => {
      for (;;) {
        const ready = queue.shift();
        if (!ready) {
          if (!producing) return;
          await signal.wait();
          continue;
        }
        if (queue.length <= lowWater) signal.notify();
        // While outcomes cannot be recorded, sending more would only widen what a crash sends twice.
        while (this.writerFailing && this.flushing) await this.flushing;
        if (this.stopping || Date.now() > ready.sendBy) {
          // Not started: hand it back (with whatever else is queued) rather than send on a stale lease.
          const rest = [ready, ...queue.splice(0)];
          const back = await this.handBackAll(rest.map((r) => r.claim)).catch(() => 0);
          summary.handed_back += back;
          summary.lost += rest.length - back;
          continue;
        }
        const { outcome, recorded: done } = await this.sendApproved(ready, asOf);
        if (done) recorded.push(done.then((o) => void (summary[o] += 1)));
        else summary[outcome] += 1;
      }
    };

    await Promise.all([produce(), ...Array.from({ length: Math.max(1, this.concurrency) }, () => lane())]);
    await Promise.all(recorded);
    if (failure) throw failure instanceof Error ? failure : new Error(String(failure));
  }

  /** Step 1: take up to `limit` due rows (pending and due, or orphaned in 'sending') under a lease. */
  async claim(asOf: Date, workerId: string, limit: number): Promise<Claim[]> {
    // One statement (one implicit transaction). Served by outbox_message_due_idx and
    // outbox_message_lease_idx (partial indexes per status). An earlier attempt still open belongs to a
    // worker whose lease expired.
    const rows = rowsOf<{ id: string; fence: string; attempts: number }>(
      await this.db.query(
        `WITH due AS (
           SELECT id FROM outbox_message
            WHERE (status = 'pending' AND next_attempt_at <= $1)
               OR (status = 'sending' AND lease_until < $1)
            ORDER BY next_attempt_at, created_at, id
            LIMIT $2
            FOR UPDATE SKIP LOCKED
         ), claimed AS (
           UPDATE outbox_message m
              SET status = 'sending', lease_owner = $3, lease_until = $1::timestamptz + make_interval(secs => $4),
                  fence = m.fence + 1, attempts = m.attempts + 1, approved_fence = NULL, updated_at = now()
             FROM due WHERE m.id = due.id
           RETURNING m.id, m.fence, m.attempts, m.next_attempt_at, m.created_at
         ), expired AS (
           UPDATE message_attempt a SET finished_at = $1, outcome = 'lease_expired'
             FROM claimed WHERE a.message_id = claimed.id AND a.finished_at IS NULL
         ), started AS (
           INSERT INTO message_attempt (message_id, attempt, fence, worker, started_at)
           SELECT id, attempts, fence, $3, $1 FROM claimed
         )
         -- Oldest first, so that within a batch the earliest-planned email is the one that takes the 72 h cap.
         SELECT id, fence, attempts FROM claimed ORDER BY next_attempt_at, created_at, id`,
        [asOf, limit, workerId, this.leaseSeconds],
      ),
    );
    return rows.map((r) => ({ id: r.id, fence: Number(r.fence), attempts: r.attempts, workerId }));
  }

  /** Steps 2 to 4 for one claimed row. */
  async process(claim: Claim, asOf: Date): Promise<Outcome> {
    const [checked] = await this.approveAll([claim], asOf);
    if (checked.outcome !== 'approved') return checked.outcome;
    const { outcome, recorded } = await this.sendApproved(
      { claim, approved: checked.approved, sendBy: Infinity, endBy: Infinity },
      asOf,
    );
    return recorded ? recorded : outcome;
  }

  /**
   * Renders and sends one approved claim; the fenced outcome is queued for the next group commit and
   * `recorded` settles once it is committed.
   */
  private async sendApproved(
    ready: Ready,
    asOf: Date,
  ): Promise<{ outcome: Outcome; recorded?: Promise<Outcome> }> {
    const { claim } = ready;
    const { message, messageId, language } = ready.approved;
    // The end-of-DATA gate, once this send asks for it; released when the outcome is recorded.
    let gateTurn: Promise<() => void> | null = null;
    const releaseGate = () => {
      void gateTurn?.then((release) => release());
      gateTurn = null;
    };
    const beforeEnd = async () => {
      gateTurn = this.endGate.acquire();
      await gateTurn;
      if (Date.now() > ready.endBy)
        throw new Error('claim lease running out: end of DATA withheld, nothing delivered');
    };
    try {
      let rendered: RenderedEmail;
      const unsubscribeUrl = this.links.url(this.links.token(message.customer_id, message.purpose, asOf));
      try {
        rendered = this.renderer.render({
          kind: message.kind,
          language,
          unit: this.config.DISTANCE_UNIT,
          customer: { firstName: message.first_name, lastName: message.last_name },
          rooftop: {
            name: message.rooftop_name,
            address: message.address,
            phone: message.phone,
            bookingUrl: message.booking_url,
            timeZone: message.time_zone,
            currency: message.currency,
          },
          payload: message.payload ?? {},
          links: { unsubscribe: unsubscribeUrl, booking: message.booking_url },
        });
      } catch (e) {
        const failed = {
          ok: false as const,
          kind: 'permanent' as const,
          smtpCode: null,
          error: errorText(e),
        };
        const recorded = this.complete(claim, asOf, failed, null, { bounce: false, reason: 'render_failed' });
        return { outcome: 'failed', recorded: recorded.then((s) => (s ? 'failed' : 'lost')) };
      }

      const result = await this.transport.send(
        {
          outboxId: message.id,
          messageId,
          from: message.sender_email
            ? { name: message.sender_name ?? message.rooftop_name, address: message.sender_email }
            : this.transport.defaultFrom,
          to: message.email!,
          subject: rendered.subject,
          html: rendered.html,
          text: rendered.text,
          headers: {
            'List-Unsubscribe': `<${unsubscribeUrl}>`,
            'List-Unsubscribe-Post': 'List-Unsubscribe=One-Click',
          },
        },
        { beforeEnd },
      );
      const recorded = this.complete(claim, asOf, result, rendered).then(
        (status): Outcome => {
          if (!status) {
            this.logger.warn({
              msg: 'lease lost before the outcome was recorded',
              outboxId: claim.id,
              fence: claim.fence,
            });
            return 'lost';
          }
          return status === 'sent' ? 'sent' : status === 'pending' ? 'retry' : 'failed';
        },
        async (e: unknown): Promise<Outcome> => {
          // The outcome could not be written: the lease decides (the retry carries the same Message-ID).
          this.logger.error({ msg: 'recording an outcome failed', outboxId: claim.id, error: errorText(e) });
          return 'error';
        },
      );
      // A definite SMTP refusal (4xx/5xx reply) delivered nothing: the next message may end its DATA at once.
      // An accepted message, or one whose reply never came (the server may have taken it), holds the gate
      // until its outcome is committed.
      if (!result.ok && result.smtpCode !== null) releaseGate();
      void recorded.then(releaseGate);
      return { outcome: 'error', recorded };
    } catch (e) {
      releaseGate();
      this.logger.error({ msg: 'dispatch of a message failed', outboxId: claim.id, error: errorText(e) });
      // Leave it to the lease if even handing it back fails.
      await this.handBack(claim).catch(() => undefined);
      return { outcome: 'error' };
    }
  }

  /**
   * Step 4: records the outcome of the attempt this claim made — only if the row still carries the
   * claim's fence. Returns the new status, or null when a newer claim took the row over (the stale worker
   * changes nothing). Outcomes arriving together are written by one statement (group commit).
   */
  complete(
    claim: Claim,
    asOf: Date,
    result: SendResult,
    rendered: RenderedEmail | null,
    failure: { bounce: boolean; reason?: string } = { bounce: true },
  ): Promise<string | null> {
    return new Promise((resolve, reject) => {
      this.outcomes.push({ claim, asOf, result, rendered, failure, resolve, reject });
      if (!this.flushing) this.flushing = this.flushOutcomes();
    });
  }

  private async flushOutcomes(): Promise<void> {
    while (this.outcomes.length > 0) {
      const group = this.outcomes.splice(0, OUTCOME_GROUP_MAX);
      try {
        const statuses = await this.writeOutcomesPersistently(group);
        for (const o of group) o.resolve(statuses.get(o.claim.id) ?? null);
      } catch (e) {
        for (const o of group) o.reject(e);
      }
    }
    this.flushing = null;
  }

  /**
   * An SMTP server has accepted these messages: losing their outcome means sending them again once the
   * lease ends. So a failed write (the database restarting, a connection dropped) is retried with back-off
   * for a while; meanwhile the lanes start no new send (see `writerFailing`).
   */
  private async writeOutcomesPersistently(group: PendingOutcome[]): Promise<Map<string, string>> {
    const giveUpAt = Date.now() + OUTCOME_RETRY_MS;
    for (let delay = 100; ; delay = Math.min(delay * 2, 2_000)) {
      try {
        const statuses = await this.writeOutcomes(group);
        this.writerFailing = false;
        return statuses;
      } catch (e) {
        if (Date.now() + delay > giveUpAt) {
          this.writerFailing = false;
          throw e;
        }
        this.writerFailing = true;
        this.logger.warn({
          msg: 'recording outcomes failed; retrying',
          outcomes: group.length,
          error: errorText(e),
        });
        await new Promise((resolve) => setTimeout(resolve, delay));
      }
    }
  }

  /** One statement: fenced outbox updates, their attempt rows and bouncing addresses. */
  private async writeOutcomes(group: PendingOutcome[]): Promise<Map<string, string>> {
    const cols = {
      id: [] as string[],
      fence: [] as number[],
      kind: [] as string[],
      at: [] as Date[],
      subject: [] as (string | null)[],
      html: [] as (string | null)[],
      text: [] as (string | null)[],
      reason: [] as (string | null)[],
      lastError: [] as (string | null)[],
      backoff: [] as number[],
      bounce: [] as boolean[],
      attemptOutcome: [] as string[],
      smtpCode: [] as (number | null)[],
      attemptError: [] as (string | null)[],
    };
    for (const { claim, asOf, result, rendered, failure } of group) {
      cols.id.push(claim.id);
      cols.fence.push(claim.fence);
      cols.at.push(asOf);
      cols.subject.push(rendered?.subject ?? null);
      cols.html.push(rendered?.html ?? null);
      cols.text.push(rendered?.text ?? null);
      cols.backoff.push(backoffMs(claim.attempts) / 1000);
      cols.lastError.push(describe(result));
      cols.smtpCode.push(result.ok ? null : result.smtpCode);
      cols.attemptError.push(result.ok ? null : result.error.slice(0, 500));
      if (result.ok) {
        cols.kind.push('sent');
        cols.reason.push(null);
        cols.bounce.push(false);
        cols.attemptOutcome.push('sent');
      } else if (result.kind === 'temporary') {
        // Pending again with a growing back-off, unless the 48 h window since the first attempt is over.
        cols.kind.push('temporary');
        cols.reason.push(null);
        cols.bounce.push(false);
        cols.attemptOutcome.push('temporary_failure');
      } else {
        cols.kind.push('permanent');
        cols.reason.push(
          failure.reason ?? (result.smtpCode ? `smtp_${result.smtpCode}` : 'permanent_failure'),
        );
        cols.bounce.push(failure.bounce);
        cols.attemptOutcome.push(failure.bounce ? 'bounced' : 'failed');
      }
    }
    const rows = rowsOf<{ id: string; status: string }>(
      await this.db.query(
        `WITH v AS (
           SELECT * FROM unnest($1::uuid[], $2::bigint[], $3::text[], $4::timestamptz[], $5::text[], $6::text[],
                                $7::text[], $8::text[], $9::text[], $10::float8[], $11::bool[], $12::text[],
                                $13::int[], $14::text[])
             AS v(id, fence, kind, at, subject, html, text_body, reason, last_error, backoff, bounce,
                  attempt_outcome, smtp_code, attempt_error)
         ), upd AS (
           UPDATE outbox_message m SET
             status = CASE v.kind
               WHEN 'sent' THEN 'sent'
               WHEN 'temporary' THEN CASE WHEN v.at >= coalesce(m.first_attempt_at, v.at) + make_interval(hours => $15)
                                          THEN 'failed' ELSE 'pending' END
               ELSE 'failed' END,
             status_reason = CASE v.kind
               WHEN 'sent' THEN NULL
               WHEN 'temporary' THEN CASE WHEN v.at >= coalesce(m.first_attempt_at, v.at) + make_interval(hours => $15)
                                          THEN 'retries_exhausted' ELSE 'retry_scheduled' END
               ELSE v.reason END,
             sent_at = CASE WHEN v.kind = 'sent' THEN v.at ELSE m.sent_at END,
             next_attempt_at = CASE WHEN v.kind = 'temporary' THEN v.at + make_interval(secs => v.backoff)
                                    ELSE m.next_attempt_at END,
             last_error = v.last_error, subject = v.subject, html_body = v.html, text_body = v.text_body,
             lease_owner = NULL, lease_until = NULL, updated_at = now()
           FROM v WHERE m.id = v.id AND m.fence = v.fence AND m.status = 'sending'
           RETURNING m.id, m.customer_id, m.status, v.fence, v.at, v.bounce, v.attempt_outcome, v.smtp_code, v.attempt_error
         ), attempt AS (
           UPDATE message_attempt a
              SET finished_at = upd.at, outcome = upd.attempt_outcome, smtp_code = upd.smtp_code, error = upd.attempt_error
             FROM upd WHERE a.message_id = upd.id AND a.fence = upd.fence
         ), bouncing AS (
           UPDATE customer c SET email_bouncing = true, updated_at = now()
             FROM upd WHERE upd.bounce AND c.id = upd.customer_id
         )
         SELECT id, status FROM upd`,
        [
          cols.id,
          cols.fence,
          cols.kind,
          cols.at,
          cols.subject,
          cols.html,
          cols.text,
          cols.reason,
          cols.lastError,
          cols.backoff,
          cols.bounce,
          cols.attemptOutcome,
          cols.smtpCode,
          cols.attemptError,
          RETRY_WINDOW_HOURS,
        ],
      ),
    );
    return new Map(rows.map((r) => [r.id, r.status]));
  }

  /** Gives a claim back untouched (shutdown before it started): pending again, no attempt consumed. */
  async handBack(claim: Claim): Promise<boolean> {
    return (await this.handBackAll([claim])) === 1;
  }

  /**
   * Gives claims back in one statement (fenced): pending again, approval withdrawn, no attempt consumed
   * (the attempt row is deleted; a first_attempt_at set by this very attempt is cleared). Returns how many
   * were still held.
   */
  async handBackAll(claims: Claim[]): Promise<number> {
    if (claims.length === 0) return 0;
    const rows = rowsOf<{ id: string }>(
      await this.db.query(
        `WITH v AS (SELECT * FROM unnest($1::uuid[], $2::bigint[]) AS v(id, fence)),
         upd AS (
           UPDATE outbox_message m
              SET status = 'pending', attempts = m.attempts - 1, approved_fence = NULL,
                  first_attempt_at = CASE WHEN m.attempts <= 1 THEN NULL ELSE m.first_attempt_at END,
                  lease_owner = NULL, lease_until = NULL, updated_at = now()
             FROM v WHERE m.id = v.id AND m.fence = v.fence AND m.status = 'sending'
           RETURNING m.id, v.fence
         ), forgotten AS (
           DELETE FROM message_attempt a USING upd WHERE a.message_id = upd.id AND a.fence = upd.fence
         )
         SELECT id FROM upd`,
        [claims.map((c) => c.id), claims.map((c) => c.fence)],
      ),
    );
    return rows.length;
  }

  /** Stop claiming, let the in-flight batch finish; its unstarted claims are handed back. */
  async beforeApplicationShutdown(): Promise<void> {
    this.stopping = true;
    if (this.running.size > 0)
      this.logger.log({ msg: 'waiting for the in-flight batch', batches: this.running.size });
    await Promise.allSettled([...this.running]);
    await this.flushing;
  }

  private track<T>(promise: Promise<T>): Promise<T> {
    this.running.add(promise);
    void promise.finally(() => this.running.delete(promise)).catch(() => undefined);
    return promise;
  }

  /**
   * Step 2 for a batch, in one transaction: the advisory locks of its customers (in a fixed order, so two
   * workers cannot deadlock; the frequency cap must see other workers' in-flight sends, and an unsubscribe
   * serialises with this check), the row locks with the fence re-checked, the sending rules set-based, and
   * one statement writing every decision. Suppressions and deferrals release the claim without consuming
   * an attempt; approvals keep the lease and mark the row as an in-flight send (approved_fence = fence).
   */
  private async approveAll(
    claims: Claim[],
    asOf: Date,
  ): Promise<
    ({ outcome: 'approved'; approved: Approved } | { outcome: 'suppressed' | 'deferred' | 'lost' })[]
  > {
    const ids = claims.map((c) => c.id);
    return this.db.transaction(async (manager) => {
      await manager.query(
        `SELECT count(pg_advisory_xact_lock(k)) FROM (
           SELECT DISTINCT hashtext('outbox-customer:' || customer_id) AS k
             FROM outbox_message WHERE id = ANY($1::uuid[]) ORDER BY k) s`,
        [ids],
      );
      const loaded: LoadedMessage[] = await manager.query(
        `SELECT m.id, m.customer_id, m.rooftop_id, m.vehicle_id, m.kind, m.purpose, m.payload, m.status, m.fence,
                c.first_name, c.last_name, c.email, c.language AS customer_language, c.erased_at, c.email_bouncing,
                r.name AS rooftop_name, r.time_zone, r.address, r.phone, r.sender_email, r.sender_name,
                r.booking_url, r.currency, r.send_window_start, r.send_window_end
           FROM outbox_message m
           JOIN customer c ON c.id = m.customer_id
           JOIN rooftop r ON r.id = m.rooftop_id
          WHERE m.id = ANY($1::uuid[])
          FOR UPDATE OF m`,
        [ids],
      );
      const byId = new Map(loaded.map((m) => [m.id, m]));
      const held = claims.filter((claim) => {
        const m = byId.get(claim.id);
        return m && m.status === 'sending' && Number(m.fence) === claim.fence;
      });
      const decisions = await this.rules.evaluateBatch(
        manager,
        held.map((claim) => {
          const m = byId.get(claim.id)!;
          return {
            message: {
              id: m.id,
              customerId: m.customer_id,
              rooftopId: m.rooftop_id,
              vehicleId: m.vehicle_id,
              kind: m.kind,
              purpose: m.purpose,
              payload: m.payload ?? {},
            } satisfies RuleMessage,
            ctx: {
              customer: { email: m.email, erasedAt: m.erased_at, emailBouncing: m.email_bouncing },
              rooftop: {
                timeZone: m.time_zone,
                sendWindowStart: m.send_window_start,
                sendWindowEnd: m.send_window_end,
              },
            },
          };
        }),
        asOf,
      );
      const results = new Map<
        string,
        { outcome: 'approved'; approved: Approved } | { outcome: 'suppressed' | 'deferred' }
      >();
      const cols = {
        id: [] as string[],
        fence: [] as number[],
        action: [] as string[],
        reason: [] as (string | null)[],
        until: [] as (Date | null)[],
        messageId: [] as (string | null)[],
        to: [] as (string | null)[],
        language: [] as (string | null)[],
      };
      held.forEach((claim, k) => {
        const decision: RuleDecision = decisions[k];
        const m = byId.get(claim.id)!;
        cols.id.push(claim.id);
        cols.fence.push(claim.fence);
        cols.action.push(decision.action);
        if (decision.action === 'send') {
          const language: Language = (LANGUAGES as readonly string[]).includes(m.customer_language)
            ? (m.customer_language as Language)
            : this.config.DEFAULT_LANGUAGE;
          const messageId = `<${m.id}@${this.transport.domain}>`;
          cols.reason.push(null);
          cols.until.push(null);
          cols.messageId.push(messageId);
          cols.to.push(m.email);
          cols.language.push(language);
          results.set(claim.id, { outcome: 'approved', approved: { message: m, messageId, language } });
        } else {
          cols.reason.push(decision.reason);
          cols.until.push(decision.action === 'defer' ? decision.until : null);
          cols.messageId.push(null);
          cols.to.push(null);
          cols.language.push(null);
          results.set(claim.id, { outcome: decision.action === 'suppress' ? 'suppressed' : 'deferred' });
        }
      });
      if (held.length > 0) {
        await manager.query(
          `WITH v AS (
             SELECT * FROM unnest($1::uuid[], $2::bigint[], $3::text[], $4::text[], $5::timestamptz[],
                                  $6::text[], $7::text[], $8::text[])
               AS v(id, fence, action, reason, until, message_id, to_address, language)
           ), upd AS (
             UPDATE outbox_message m SET
               status = CASE v.action WHEN 'suppress' THEN 'suppressed' WHEN 'defer' THEN 'pending' ELSE m.status END,
               status_reason = CASE WHEN v.action = 'send' THEN m.status_reason ELSE v.reason END,
               next_attempt_at = CASE WHEN v.action = 'defer' THEN v.until ELSE m.next_attempt_at END,
               attempts = CASE WHEN v.action = 'send' THEN m.attempts ELSE m.attempts - 1 END,
               approved_fence = CASE WHEN v.action = 'send' THEN m.fence ELSE m.approved_fence END,
               message_id = CASE WHEN v.action = 'send' THEN v.message_id ELSE m.message_id END,
               to_address = CASE WHEN v.action = 'send' THEN v.to_address ELSE m.to_address END,
               language = CASE WHEN v.action = 'send' THEN v.language ELSE m.language END,
               first_attempt_at = CASE WHEN v.action = 'send' THEN coalesce(m.first_attempt_at, $9)
                                       ELSE m.first_attempt_at END,
               lease_owner = CASE WHEN v.action = 'send' THEN m.lease_owner END,
               lease_until = CASE WHEN v.action = 'send' THEN m.lease_until END,
               updated_at = now()
             FROM v WHERE m.id = v.id AND m.fence = v.fence AND m.status = 'sending'
             RETURNING m.id, v.fence, v.action
           )
           DELETE FROM message_attempt a USING upd
            WHERE upd.action <> 'send' AND a.message_id = upd.id AND a.fence = upd.fence`,
          [
            cols.id,
            cols.fence,
            cols.action,
            cols.reason,
            cols.until,
            cols.messageId,
            cols.to,
            cols.language,
            asOf,
          ],
        );
      }
      return claims.map((claim) => results.get(claim.id) ?? { outcome: 'lost' as const });
    });
  }
}

/** Rows of a raw query: TypeORM answers [rows, rowCount] for a top-level UPDATE/DELETE, rows otherwise. */
function rowsOf<T>(result: unknown): T[] {
  if (
    Array.isArray(result) &&
    result.length === 2 &&
    Array.isArray(result[0]) &&
    typeof result[1] === 'number'
  )
    return result[0] as T[];
  return result as T[];
}

function errorText(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

function describe(result: SendResult): string | null {
  if (result.ok) return null;
  return (result.smtpCode ? `${result.smtpCode} ${result.error}` : result.error).slice(0, 500);
}
