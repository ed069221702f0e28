import { DataSource, EntityManager } from 'typeorm';
import { preparedQuery, rowsOf } from '../common/prepared-query';
import type { Language } from '../config/app-config';
import type { Channel } from '../common/channels';
import { ContactPointsService } from '../customers/contact-points.service';
import type { EmailBouncingService } from '../customers/email-bouncing.service';
import type { RenderedEmail } from './template-renderer';
/** What a send recorded of its content: an email's subject and parts, or a short text's text. */
export type RecordedContent =
  Pick<RenderedEmail, 'subject' | 'html' | 'text'> | { subject: null; html: null; text: string };
import type { SendResult } from './channels/channel-driver';
import { RETRY_WINDOW_HOURS } from './dispatch-settings';
import { outcomeColumns, RECORD_OUTCOMES, type OutcomeColumns } from './outcome-statement';
import type { MessagePurpose } from './outbox.service';

/** A row this worker holds: `fence` is the row's fence after the claim; any write of the attempt names it. */
export interface Claim {
  id: string;
  fence: number;
  attempts: number;
  workerId: string;
}

/** A claimed row with what the sending rules and the templates need (the approval's one read). */
export interface LoadedMessage {
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
  /** The customer's own contact points and channel preference (`phone` above is the rooftop's). */
  customer_phone: string | null;
  phone_undeliverable: boolean;
  telegram_chat_id: string | null;
  telegram_blocked: boolean;
  preferred_channel: Channel | null;
  channel_order: string[];
  failed_channels: string[];
  requested_channel: Channel | null;
}

/**
 * The sending rules' verdict on one held claim; `send` carries the channel and addressing the attempt will use
 * (`messageId` is the email Message-ID, null on other channels) and the usable channels after it; `fail` keeps
 * a message that failed permanently with no other usable channel failed.
 */
export type ClaimDecision = { claim: Claim } & (
  | {
      action: 'send';
      channel: Channel;
      messageId: string | null;
      to: string;
      language: Language;
      fallbacks: Channel[];
    }
  | { action: 'fail' }
  | { action: 'suppress'; reason: string }
  | { action: 'defer'; reason: string; until: Date }
);

/** One attempt's outcome, as the fenced outcome statement records it. */
export interface AttemptOutcome {
  claim: Claim;
  asOf: Date;
  /** The channel the attempt went on. */
  channel: Channel;
  result: SendResult;
  rendered: RecordedContent | null;
  /**
   * For a permanent failure: whether the contact point is to be marked (email 5xx bouncing, Telegram 403
   * blocked, SMS undeliverable), and the status reason if not the reply code.
   */
  failure: { bounce: boolean; reason?: string };
}

/**
 * Claim: take up to $2 due rows — pending and due, or 'sending' whose lease expired (an orphan of a dead
 * worker) — mark them 'sending' under a lease for $3, bump their fence and attempts, close the attempt the
 * previous holder left open ('lease_expired') and open this one. One statement, one implicit transaction.
 * Served by outbox_message_due_idx and outbox_message_lease_idx (partial indexes per status).
 * Parameters: $1 asOf, $2 limit, $3 worker id, $4 lease seconds.
 */
const CLAIM_DUE = `
  WITH due AS (
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
  SELECT id, fence, attempts FROM claimed ORDER BY next_attempt_at, created_at, id`;

/**
 * The advisory locks of a batch's customers, in a fixed order so that two workers cannot deadlock: the
 * frequency cap must see other workers' in-flight sends, and an unsubscribe serialises with the rule check.
 * By primary key. Parameters: $1 outbox ids.
 */
const LOCK_CUSTOMERS_OF = `
  SELECT count(pg_advisory_xact_lock(k)) FROM (
    SELECT DISTINCT hashtext('outbox-customer:' || customer_id) AS k
      FROM outbox_message WHERE id = ANY($1::uuid[]) ORDER BY k) s`;

/** The claimed rows, row-locked, with their customer and rooftop. By primary keys. Parameters: $1 outbox ids. */
const LOAD_CLAIMED = `
  SELECT m.id, m.customer_id, m.rooftop_id, m.vehicle_id, m.kind, m.purpose, m.payload, m.status, m.fence,
         m.failed_channels, m.requested_channel,
         c.first_name, c.last_name, c.email, c.language AS customer_language, c.erased_at, c.email_bouncing,
         c.phone AS customer_phone, c.phone_undeliverable_at IS NOT NULL AS phone_undeliverable,
         c.telegram_chat_id::text AS telegram_chat_id, c.telegram_blocked_at IS NOT NULL AS telegram_blocked,
         c.preferred_channel,
         r.name AS rooftop_name, r.time_zone, r.address, r.phone, r.sender_email, r.sender_name,
         r.booking_url, r.currency, r.send_window_start, r.send_window_end, r.channel_order
    FROM outbox_message m
    JOIN customer c ON c.id = m.customer_id
    JOIN rooftop r ON r.id = m.rooftop_id
   WHERE m.id = ANY($1::uuid[])
     FOR UPDATE OF m`;

/**
 * Every decision of a batch, fenced: suppressions and deferrals release the claim without consuming an
 * attempt (their attempt row is deleted), and so does 'fail' (a message that failed permanently and has no
 * other usable channel stays failed with its last error); approvals keep the lease and mark an in-flight send
 * (approved_fence = fence) with the channel, addressing and fallback channels it uses, also on the attempt
 * row. By primary keys. Parameters: $1..$10 the decision columns, $11 asOf (the first attempt's instant).
 */
const RECORD_DECISIONS = `
  WITH v AS (
    SELECT * FROM unnest($1::uuid[], $2::bigint[], $3::text[], $4::text[], $5::timestamptz[],
                         $6::text[], $7::text[], $8::text[], $9::text[], $10::text[])
      AS v(id, fence, action, reason, until, message_id, to_address, language, channel, fallbacks)
  ), upd AS (
    UPDATE outbox_message m SET
      status = CASE v.action WHEN 'suppress' THEN 'suppressed' WHEN 'defer' THEN 'pending'
                             WHEN 'fail' THEN 'failed' ELSE m.status END,
      status_reason = CASE WHEN v.action = 'send' THEN m.status_reason
                           WHEN v.action = 'fail' THEN 'no_channel_left' ELSE v.reason END,
      next_attempt_at = CASE WHEN v.action = 'defer' THEN v.until ELSE m.next_attempt_at END,
      attempts = CASE WHEN v.action = 'send' THEN m.attempts ELSE m.attempts - 1 END,
      approved_fence = CASE WHEN v.action = 'send' THEN m.fence ELSE m.approved_fence END,
      message_id = CASE WHEN v.action = 'send' THEN v.message_id ELSE m.message_id END,
      to_address = CASE WHEN v.action = 'send' THEN v.to_address ELSE m.to_address END,
      language = CASE WHEN v.action = 'send' THEN v.language ELSE m.language END,
      channel = CASE WHEN v.action = 'send' THEN v.channel ELSE m.channel END,
      fallback_channels = CASE WHEN v.action = 'send' THEN string_to_array(v.fallbacks, ',')
                               ELSE m.fallback_channels END,
      first_attempt_at = CASE WHEN v.action = 'send' THEN coalesce(m.first_attempt_at, $11)
                              ELSE m.first_attempt_at END,
      lease_owner = CASE WHEN v.action = 'send' THEN m.lease_owner END,
      lease_until = CASE WHEN v.action = 'send' THEN m.lease_until END,
      updated_at = now()
    FROM v WHERE m.id = v.id AND m.fence = v.fence AND m.status = 'sending'
    RETURNING m.id, v.fence, v.action, v.channel
  ), attempt_channel AS (
    UPDATE message_attempt a SET channel = upd.channel
      FROM upd WHERE upd.action = 'send' AND a.message_id = upd.id AND a.fence = upd.fence
  )
  DELETE FROM message_attempt a USING upd
   WHERE upd.action <> 'send' AND a.message_id = upd.id AND a.fence = upd.fence`;

/**
 * Hand-back, fenced: pending again, approval withdrawn, no attempt consumed (the attempt row is deleted; a
 * first_attempt_at set by this very attempt is cleared). By primary keys. Returns the rows still held.
 * Parameters: $1 outbox ids, $2 their fences.
 */
const HAND_BACK = `
  WITH v AS (SELECT * FROM unnest($1::uuid[], $2::bigint[]) AS v(id, fence)),
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
  SELECT id FROM upd`;

/**
 * The dispatcher's statements on the outbox: claim under a lease, the approval's lock, read and decisions,
 * fenced outcomes and hand-backs. Set-based (one statement per batch or outcome group) and always fenced.
 * Built per dispatcher on that dispatcher's DataSource (each instance its own connection pool).
 */
export class OutboxClaimsRepository {
  constructor(
    private readonly db: DataSource,
    /** Customers own the bouncing mark: a 5xx outcome marks the address through them, in the outcome's transaction. */
    private readonly bouncing: Pick<EmailBouncingService, 'mark'>,
    /** Customers own the SMS and Telegram marks too (undeliverable phone, blocked chat). */
    private readonly contactPoints: Pick<
      ContactPointsService,
      'markPhoneUndeliverable' | 'markTelegramBlocked'
    > = new ContactPointsService(),
  ) {}

  /** Takes up to `limit` due rows (pending and due, or orphaned in 'sending') under a lease. */
  async claimDue(asOf: Date, workerId: string, limit: number, leaseSeconds: number): Promise<Claim[]> {
    const rows = await this.prepared<{ id: string; fence: string; attempts: number }>(CLAIM_DUE, [
      asOf,
      limit,
      workerId,
      leaseSeconds,
    ]);
    return rows.map((r) => ({ id: r.id, fence: Number(r.fence), attempts: r.attempts, workerId }));
  }

  /** In the approval's transaction: `fn` runs with the batch's customers locked and its rows loaded and locked. */
  withLockedBatch<T>(
    ids: string[],
    fn: (manager: EntityManager, loaded: LoadedMessage[]) => Promise<T>,
  ): Promise<T> {
    return this.db.transaction(async (manager) => {
      await manager.query(LOCK_CUSTOMERS_OF, [ids]);
      const loaded: LoadedMessage[] = await manager.query(LOAD_CLAIMED, [ids]);
      return fn(manager, loaded);
    });
  }

  /** Writes a batch's rule decisions in one statement (in the approval's transaction). */
  async recordDecisions(manager: EntityManager, decisions: ClaimDecision[], asOf: Date): Promise<void> {
    if (decisions.length === 0) return;
    const send = (d: ClaimDecision) => (d.action === 'send' ? d : null);
    await manager.query(RECORD_DECISIONS, [
      decisions.map((d) => d.claim.id),
      decisions.map((d) => d.claim.fence),
      decisions.map((d) => d.action),
      decisions.map((d) => (d.action === 'suppress' || d.action === 'defer' ? d.reason : null)),
      decisions.map((d) => (d.action === 'defer' ? d.until : null)),
      decisions.map((d) => send(d)?.messageId ?? null),
      decisions.map((d) => send(d)?.to ?? null),
      decisions.map((d) => send(d)?.language ?? null),
      decisions.map((d) => send(d)?.channel ?? null),
      decisions.map((d) => send(d)?.fallbacks.join(',') ?? null),
      asOf,
    ]);
  }

  /**
   * Records a group of outcomes in one statement; returns the new status of each row still held. When the
   * group holds a permanent failure that marks a contact point, the customers of the rows still held are
   * marked through customers (EmailBouncingService for a 5xx, ContactPointsService for a blocked chat or an
   * undeliverable phone), in the same transaction as the outcomes.
   */
  async recordOutcomes(group: AttemptOutcome[]): Promise<Map<string, string>> {
    const cols = outcomeColumns(group);
    if (!cols.bounce.includes(true)) return statusesOf(await this.writeOutcomes(null, cols));
    return this.db.transaction(async (manager) => {
      const rows = await this.writeOutcomes(manager, cols);
      const marked = (channel: Channel) =>
        [...new Set(rows.filter((r) => r.bounce && r.channel === channel).map((r) => r.customer_id))].sort();
      const at = group[0].asOf;
      await this.bouncing.mark(manager, marked('email'));
      await this.contactPoints.markPhoneUndeliverable(manager, marked('sms'), at);
      await this.contactPoints.markTelegramBlocked(manager, marked('telegram'), at);
      return statusesOf(rows);
    });
  }

  /** The outcome statement: prepared on a pooled connection, or in `manager`'s transaction. */
  private async writeOutcomes(manager: EntityManager | null, cols: OutcomeColumns): Promise<OutcomeRow[]> {
    const run = (text: string, values: unknown[]) =>
      manager
        ? manager.query(text, values).then((r) => rowsOf<OutcomeRow>(r))
        : this.prepared<OutcomeRow>(text, values);
    return run(RECORD_OUTCOMES, [
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
      cols.channel,
      RETRY_WINDOW_HOURS,
      cols.refIds,
      cols.refChannels,
      cols.refs,
    ]);
  }

  /** Gives claims back in one statement; returns how many were still held. */
  async handBack(claims: Claim[]): Promise<number> {
    if (claims.length === 0) return 0;
    const rows = await this.prepared<{ id: string }>(HAND_BACK, [
      claims.map((c) => c.id),
      claims.map((c) => c.fence),
    ]);
    return rows.length;
  }

  /** A send-path statement, prepared on pg's pool (src/common/prepared-query.ts). */
  private prepared<T>(text: string, values: unknown[]): Promise<T[]> {
    return preparedQuery<T>(this.db, text, values);
  }
}

/** A row RECORD_OUTCOMES still held: its new status, and whether its customer's contact point is marked. */
interface OutcomeRow {
  id: string;
  status: string;
  customer_id: string;
  bounce: boolean;
  channel: Channel;
}

function statusesOf(rows: OutcomeRow[]): Map<string, string> {
  return new Map(rows.map((r) => [r.id, r.status]));
}
