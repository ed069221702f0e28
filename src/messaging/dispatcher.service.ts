import { BeforeApplicationShutdown, Injectable, Logger } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import * as os from 'node:os';
import { DataSource, EntityManager } from 'typeorm';
import { AppConfig, LANGUAGES, type Language } from '../config/app-config';
import { MailTransport, type SendResult } from './mail-transport';
import type { MessagePurpose } from './outbox.service';
import { SendingRules, type RuleDecision, type RuleMessage } from './sending-rules';
import { TemplateRenderer, type RenderedEmail } from './template-renderer';
import { UnsubscribeLinks } from './unsubscribe-links';

/** Rows claimed per batch. */
export const DISPATCH_BATCH_SIZE = 50;
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

/**
 * Sends what the outbox holds, at most once in effect, with several workers and instances:
 *  1. claim: a short transaction takes due rows with FOR UPDATE SKIP LOCKED, marks them 'sending' under a
 *     lease and bumps their fence (also taking over rows whose lease expired: a worker died mid-send);
 *  2. check the sending rules under the customer's lock, render, send — outside any transaction;
 *  3. record the outcome with `WHERE id = $1 AND fence = $2`, so a worker whose lease expired and whose row
 *     was claimed again can never overwrite the newer attempt.
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
    const total = emptySummary();
    for (let i = 0; i < MAX_BATCHES_PER_RUN && !this.stopping; i++) {
      const batch = this.track(this.runBatch(asOf));
      const summary = await batch;
      for (const key of Object.keys(total) as (keyof DispatchSummary)[]) total[key] += summary[key];
      if (summary.claimed < this.batchSize) break;
    }
    return total;
  }

  /** Claims one batch and processes it; claims not started when shutdown begins are handed back. */
  async runBatch(asOf: Date, workerId = this.workerId): Promise<DispatchSummary> {
    const summary = emptySummary();
    if (this.stopping) return summary;
    const claims = await this.claim(asOf, workerId, this.batchSize);
    summary.claimed = claims.length;
    const queue = [...claims];
    const lane = async () => {
      for (let claim = queue.shift(); claim; claim = queue.shift()) {
        const outcome = this.stopping
          ? await this.handBack(claim).then(() => 'handed_back' as const)
          : await this.safeProcess(claim, asOf);
        summary[outcome] += 1;
      }
    };
    await Promise.all(Array.from({ length: Math.min(this.concurrency, claims.length) }, lane));
    return summary;
  }

  /** Step 1: take up to `limit` due rows (pending and due, or orphaned in 'sending') under a lease. */
  async claim(asOf: Date, workerId: string, limit: number): Promise<Claim[]> {
    return this.db.transaction(async (manager) => {
      // Served by outbox_message_due_idx and outbox_message_lease_idx (partial indexes per status).
      // UPDATE (even behind a CTE) answers [rows, rowCount] through TypeORM's postgres driver.
      const [rows]: [{ id: string; fence: string; attempts: number }[], number] = await manager.query(
        `WITH due AS (
           SELECT id FROM outbox_message
            WHERE (status = 'pending' AND next_attempt_at <= $1)
               OR (status = 'sending' AND lease_until < $1)
            ORDER BY next_attempt_at, id
            LIMIT $2
            FOR UPDATE SKIP LOCKED
         )
         UPDATE outbox_message m
            SET status = 'sending', lease_owner = $3, lease_until = $1::timestamptz + make_interval(secs => $4),
                fence = m.fence + 1, attempts = m.attempts + 1, approved_fence = NULL, updated_at = now()
           FROM due WHERE m.id = due.id
         RETURNING m.id, m.fence, m.attempts`,
        [asOf, limit, workerId, this.leaseSeconds],
      );
      if (rows.length === 0) return [];
      const ids = rows.map((r) => r.id);
      // An earlier attempt still open belongs to a worker whose lease expired.
      await manager.query(
        `UPDATE message_attempt SET finished_at = $2, outcome = 'lease_expired'
          WHERE message_id = ANY($1::uuid[]) AND finished_at IS NULL`,
        [ids, asOf],
      );
      await manager.query(
        `INSERT INTO message_attempt (message_id, attempt, fence, worker, started_at)
         SELECT * FROM unnest($1::uuid[], $2::int[], $3::bigint[], $4::text[], $5::timestamptz[])`,
        [
          ids,
          rows.map((r) => r.attempts),
          rows.map((r) => r.fence),
          ids.map(() => workerId),
          ids.map(() => asOf),
        ],
      );
      return rows.map((r) => ({ id: r.id, fence: Number(r.fence), attempts: r.attempts, workerId }));
    });
  }

  /** Steps 2 and 3 for one claimed row. */
  async process(claim: Claim, asOf: Date): Promise<Outcome> {
    const approval = await this.applyRules(claim, asOf);
    if (approval.outcome !== 'approved') return approval.outcome;
    const { message, messageId, language } = approval.approved;

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
      const error = e instanceof Error ? e.message : String(e);
      const status = await this.complete(
        claim,
        asOf,
        { ok: false, kind: 'permanent', smtpCode: null, error },
        null,
        {
          bounce: false,
          reason: 'render_failed',
        },
      );
      return status ? 'failed' : 'lost';
    }

    const result = await this.transport.send({
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
    });
    const status = await this.complete(claim, asOf, result, rendered);
    if (!status) {
      this.logger.warn({
        msg: 'lease lost before the outcome was recorded',
        outboxId: claim.id,
        fence: claim.fence,
      });
      return 'lost';
    }
    return status === 'sent' ? 'sent' : status === 'pending' ? 'retry' : 'failed';
  }

  /**
   * Step 3: records the outcome of the attempt this claim made — only if the row still carries the
   * claim's fence. Returns the new status, or null when a newer claim took the row over (the stale worker
   * changes nothing).
   */
  async complete(
    claim: Claim,
    asOf: Date,
    result: SendResult,
    rendered: RenderedEmail | null,
    failure: { bounce: boolean; reason?: string } = { bounce: true },
  ): Promise<string | null> {
    return this.db.transaction(async (manager) => {
      const content = [rendered?.subject ?? null, rendered?.html ?? null, rendered?.text ?? null];
      let updated: { customer_id: string; status: string }[];
      let attemptOutcome: string;
      if (result.ok) {
        attemptOutcome = 'sent';
        updated = await this.fenced(
          manager,
          claim,
          `status = 'sent', sent_at = $3, status_reason = NULL, last_error = NULL,
           subject = $4, html_body = $5, text_body = $6`,
          [asOf, ...content],
        );
      } else if (result.kind === 'temporary') {
        attemptOutcome = 'temporary_failure';
        // Pending again with a growing back-off, unless the 48 h window since the first attempt is over.
        updated = await this.fenced(
          manager,
          claim,
          `status = CASE WHEN $3::timestamptz >= coalesce(first_attempt_at, $3::timestamptz) + make_interval(hours => $7)
                         THEN 'failed' ELSE 'pending' END,
           status_reason = CASE WHEN $3::timestamptz >= coalesce(first_attempt_at, $3::timestamptz) + make_interval(hours => $7)
                         THEN 'retries_exhausted' ELSE 'retry_scheduled' END,
           next_attempt_at = $3::timestamptz + make_interval(secs => $8),
           last_error = $9, subject = $4, html_body = $5, text_body = $6`,
          [asOf, ...content, RETRY_WINDOW_HOURS, backoffMs(claim.attempts) / 1000, describe(result)],
        );
      } else {
        attemptOutcome = failure.bounce ? 'bounced' : 'failed';
        const reason = failure.reason ?? (result.smtpCode ? `smtp_${result.smtpCode}` : 'permanent_failure');
        updated = await this.fenced(
          manager,
          claim,
          `status = 'failed', status_reason = $6, last_error = $7, subject = $3, html_body = $4, text_body = $5`,
          [...content, reason, describe(result)],
        );
        if (updated.length > 0 && failure.bounce) {
          await manager.query(`UPDATE customer SET email_bouncing = true, updated_at = now() WHERE id = $1`, [
            updated[0].customer_id,
          ]);
        }
      }
      if (updated.length === 0) return null;
      await manager.query(
        `UPDATE message_attempt SET finished_at = $3, outcome = $4, smtp_code = $5, error = $6
          WHERE message_id = $1 AND fence = $2`,
        [
          claim.id,
          claim.fence,
          asOf,
          attemptOutcome,
          result.ok ? null : result.smtpCode,
          result.ok ? null : result.error.slice(0, 500),
        ],
      );
      return updated[0].status;
    });
  }

  /** Gives a claim back untouched (shutdown before it started): pending again, no attempt consumed. */
  async handBack(claim: Claim): Promise<boolean> {
    return this.db.transaction(async (manager) => {
      const rows = await this.fenced(manager, claim, `status = 'pending', attempts = attempts - 1`, []);
      if (rows.length > 0) await this.forgetAttempt(manager, claim);
      return rows.length > 0;
    });
  }

  /** Stop claiming, let the in-flight batch finish; its unstarted claims are handed back. */
  async beforeApplicationShutdown(): Promise<void> {
    this.stopping = true;
    if (this.running.size > 0)
      this.logger.log({ msg: 'waiting for the in-flight batch', batches: this.running.size });
    await Promise.allSettled([...this.running]);
  }

  private track<T>(promise: Promise<T>): Promise<T> {
    this.running.add(promise);
    void promise.finally(() => this.running.delete(promise)).catch(() => undefined);
    return promise;
  }

  private async safeProcess(claim: Claim, asOf: Date): Promise<Outcome> {
    try {
      return await this.process(claim, asOf);
    } catch (e) {
      this.logger.error({
        msg: 'dispatch of a message failed',
        outboxId: claim.id,
        error: e instanceof Error ? e.message : String(e),
      });
      // Leave it to the lease if even handing it back fails.
      await this.handBack(claim).catch(() => undefined);
      return 'error';
    }
  }

  /**
   * Step 2: under the customer's advisory lock (the frequency cap must see other workers' in-flight sends)
   * and the row lock, re-check the fence and apply the sending rules. Suppressions and deferrals release
   * the claim without consuming an attempt.
   */
  private async applyRules(
    claim: Claim,
    asOf: Date,
  ): Promise<{ outcome: 'approved'; approved: Approved } | { outcome: 'suppressed' | 'deferred' | 'lost' }> {
    return this.db.transaction(async (manager) => {
      const [head]: { customer_id: string }[] = await manager.query(
        `SELECT customer_id FROM outbox_message WHERE id = $1`,
        [claim.id],
      );
      if (!head) return { outcome: 'lost' as const };
      await manager.query(`SELECT pg_advisory_xact_lock(hashtext('outbox-customer:' || $1))`, [
        head.customer_id,
      ]);
      const [message]: LoadedMessage[] = await manager.query(
        `SELECT m.id, m.customer_id, m.rooftop_id, m.vehicle_id, m.kind, m.purpose, m.payload, m.status, m.fence,
                c.first_name, c.last_name, c.email, c.language AS customer_language, c.erased_at, c.email_bouncing,
                r.name AS rooftop_name, r.time_zone, r.address, r.phone, r.sender_email, r.sender_name,
                r.booking_url, r.currency, r.send_window_start, r.send_window_end
           FROM outbox_message m
           JOIN customer c ON c.id = m.customer_id
           JOIN rooftop r ON r.id = m.rooftop_id
          WHERE m.id = $1
          FOR UPDATE OF m`,
        [claim.id],
      );
      if (!message || message.status !== 'sending' || Number(message.fence) !== claim.fence) {
        return { outcome: 'lost' as const };
      }
      const ruleMessage: RuleMessage = {
        id: message.id,
        customerId: message.customer_id,
        rooftopId: message.rooftop_id,
        vehicleId: message.vehicle_id,
        kind: message.kind,
        purpose: message.purpose,
        payload: message.payload ?? {},
      };
      const decision: RuleDecision = await this.rules.evaluate(
        manager,
        ruleMessage,
        {
          customer: {
            email: message.email,
            erasedAt: message.erased_at,
            emailBouncing: message.email_bouncing,
          },
          rooftop: {
            timeZone: message.time_zone,
            sendWindowStart: message.send_window_start,
            sendWindowEnd: message.send_window_end,
          },
        },
        asOf,
      );
      if (decision.action === 'suppress') {
        await this.fenced(
          manager,
          claim,
          `status = 'suppressed', status_reason = $3, attempts = attempts - 1`,
          [decision.reason],
        );
        await this.forgetAttempt(manager, claim);
        return { outcome: 'suppressed' as const };
      }
      if (decision.action === 'defer') {
        await this.fenced(
          manager,
          claim,
          `status = 'pending', status_reason = $3, next_attempt_at = $4, attempts = attempts - 1`,
          [decision.reason, decision.until],
        );
        await this.forgetAttempt(manager, claim);
        return { outcome: 'deferred' as const };
      }
      const language: Language = (LANGUAGES as readonly string[]).includes(message.customer_language)
        ? (message.customer_language as Language)
        : this.config.DEFAULT_LANGUAGE;
      const messageId = `<${message.id}@${this.transport.domain}>`;
      await this.fenced(
        manager,
        claim,
        `approved_fence = fence, message_id = $3, to_address = $4, language = $5,
         first_attempt_at = coalesce(first_attempt_at, $6)`,
        [messageId, message.email, language, asOf],
        { keepLease: true },
      );
      return { outcome: 'approved' as const, approved: { message, messageId, language } };
    });
  }

  /**
   * An UPDATE that applies only while the row still carries this claim's fence. Unless keepLease, it also
   * releases the lease. $1 = id, $2 = fence; further parameters start at $3.
   */
  private async fenced(
    manager: EntityManager,
    claim: Claim,
    set: string,
    params: unknown[],
    options: { keepLease?: boolean } = {},
  ): Promise<{ customer_id: string; status: string }[]> {
    const release = options.keepLease ? '' : ', lease_owner = NULL, lease_until = NULL';
    const result: [{ customer_id: string; status: string }[], number] = await manager.query(
      `UPDATE outbox_message SET ${set}${release}, updated_at = now()
        WHERE id = $1 AND fence = $2 AND status = 'sending'
        RETURNING customer_id, status`,
      [claim.id, claim.fence, ...params],
    );
    return result[0];
  }

  private async forgetAttempt(manager: EntityManager, claim: Claim): Promise<void> {
    await manager.query(`DELETE FROM message_attempt WHERE message_id = $1 AND fence = $2`, [
      claim.id,
      claim.fence,
    ]);
  }
}

function describe(result: SendResult): string | null {
  if (result.ok) return null;
  return (result.smtpCode ? `${result.smtpCode} ${result.error}` : result.error).slice(0, 500);
}
