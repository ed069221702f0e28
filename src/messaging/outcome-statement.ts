/** The fenced outcome statement of the dispatcher and the columns it takes (outbox-claims.repository.ts runs it). */
import type { Channel } from '../common/channels';
import { describeFailure, type SendResult } from './channels/channel-driver';
import { backoffMs } from './dispatch-settings';

/** A temporary failure past the retry window since the first attempt ($16 hours); `m` is the row before the update. */
const EXHAUSTED = `v.at >= coalesce(m.first_attempt_at, v.at) + make_interval(hours => $16)`;
/** A fallback channel is left: one of the row's fallback channels that is neither this one nor failed before. */
const FALLBACK = `EXISTS (SELECT 1 FROM unnest(m.fallback_channels) f
                            WHERE f <> v.channel AND NOT f = ANY(m.failed_channels))`;

/**
 * Outcomes, fenced (`WHERE id AND fence AND status = 'sending'`): a worker whose lease expired and whose row
 * was claimed again changes nothing. Sent (a delivery status of an earlier channel is cleared); temporary →
 * pending after its back-off (at least as long as the channel asked to wait), or failed once the retry window
 * since the first attempt is over; permanent → the channel joins failed_channels and the message falls back:
 * pending and due at once while a fallback channel is left (`fallback_from:<channel>`, a fresh retry window),
 * else failed. Closes each attempt row (with its channel) and keeps the channel's ids of what it accepted
 * (message_provider_ref, for receipts). By primary keys. Returns the rows still held with their new status,
 * customer, channel and whether the contact point is to be marked. The exhausted and fallback tests read the row
 * as it was before the update (no second read of outbox_message).
 * Parameters: $1..$15 the outcome columns, $16 the retry window in hours, $17..$19 provider refs (outbox id,
 * channel, ref) of the group.
 */
export const RECORD_OUTCOMES = `
  WITH v AS (
    -- \`(SELECT $1)\`: the rows of v are estimated alike in custom and generic plans (10), so PostgreSQL keeps the
    -- statement's generic plan after its first 5 executions instead of planning it anew on every execution (with
    -- $1 as a constant, unnest's estimate is the group's size, every custom plan looks cheaper than the generic one
    -- and was chosen: ~0.4 ms of planning per statement, about as much as executing it).
    SELECT * FROM unnest((SELECT $1::uuid[]), $2::bigint[], $3::text[], $4::timestamptz[], $5::text[], $6::text[],
                         $7::text[], $8::text[], $9::text[], $10::float8[], $11::bool[], $12::text[],
                         $13::int[], $14::text[], $15::text[])
      AS v(id, fence, kind, at, subject, html, text_body, reason, last_error, backoff, bounce,
           attempt_outcome, smtp_code, attempt_error, channel)
  ), upd AS (
    UPDATE outbox_message m SET
      status = CASE v.kind
        WHEN 'sent' THEN 'sent'
        WHEN 'temporary' THEN CASE WHEN ${EXHAUSTED} THEN 'failed' ELSE 'pending' END
        ELSE CASE WHEN ${FALLBACK} THEN 'pending' ELSE 'failed' END END,
      status_reason = CASE v.kind
        WHEN 'sent' THEN NULL
        WHEN 'temporary' THEN CASE WHEN ${EXHAUSTED} THEN 'retries_exhausted' ELSE 'retry_scheduled' END
        ELSE CASE WHEN ${FALLBACK} THEN 'fallback_from:' || v.channel ELSE v.reason END END,
      sent_at = CASE WHEN v.kind = 'sent' THEN v.at ELSE m.sent_at END,
      next_attempt_at = CASE WHEN v.kind = 'temporary' THEN v.at + make_interval(secs => v.backoff)
                             WHEN v.kind = 'permanent' AND ${FALLBACK} THEN v.at
                             ELSE m.next_attempt_at END,
      failed_channels = CASE WHEN v.kind = 'permanent' AND NOT v.channel = ANY(m.failed_channels)
                             THEN m.failed_channels || v.channel ELSE m.failed_channels END,
      first_attempt_at = CASE WHEN v.kind = 'permanent' AND ${FALLBACK} THEN NULL ELSE m.first_attempt_at END,
      delivery_status = CASE WHEN v.kind = 'sent' THEN NULL ELSE m.delivery_status END,
      delivered_at = CASE WHEN v.kind = 'sent' THEN NULL ELSE m.delivered_at END,
      channel = v.channel,
      last_error = v.last_error, subject = v.subject, html_body = v.html, text_body = v.text_body,
      lease_owner = NULL, lease_until = NULL, updated_at = now()
    -- Each row by its primary key. \`(status = 'sending') IS TRUE\` is the same test written so that no index
    -- answers it: planned generically (a prepared statement), \`status = 'sending'\` was estimated at a row or two
    -- and read through outbox_message_status_idx, every in-flight row of every worker for each outcome group
    -- (~200 rows and ~800 buffers for a group of 2 during the bench, under the end gates' permits).
    FROM v WHERE m.id = v.id AND m.fence = v.fence AND (m.status = 'sending') IS TRUE
    RETURNING m.id, m.customer_id, m.status, v.fence, v.at, v.bounce, v.attempt_outcome, v.smtp_code,
              v.attempt_error, v.channel
  ), attempt AS (
    UPDATE message_attempt a
       SET finished_at = upd.at, outcome = upd.attempt_outcome, smtp_code = upd.smtp_code,
           error = upd.attempt_error, channel = upd.channel
      FROM upd WHERE a.message_id = upd.id AND a.fence = upd.fence
  ), refs AS (
    INSERT INTO message_provider_ref (channel, ref, message_id, fence)
    SELECT r.channel, r.ref, upd.id, upd.fence
      FROM unnest($17::uuid[], $18::text[], $19::text[]) AS r(id, channel, ref) JOIN upd ON upd.id = r.id
    ON CONFLICT (channel, ref) DO NOTHING
  )
  SELECT id, status, customer_id, bounce, channel FROM upd`;

export type OutcomeColumns = ReturnType<typeof outcomeColumns>;

/** The status reason of a permanent failure names the channel's code: smtp_550, smpp_11, telegram_403. */
const CODE_PREFIX: Record<Channel, string> = { email: 'smtp', sms: 'smpp', telegram: 'telegram' };
/** The attempt outcome of a permanent failure that marked the contact point. */
const MARKED_OUTCOME: Record<Channel, string> = {
  email: 'bounced',
  sms: 'undeliverable',
  telegram: 'blocked',
};

/**
 * What the statement reads of one attempt's outcome: the shape of outbox-claims.repository's AttemptOutcome,
 * stated here so that the statement does not import its caller.
 */
interface OutcomeInput {
  claim: { id: string; fence: number; attempts: number };
  asOf: Date;
  channel: Channel;
  result: SendResult;
  rendered: { subject: string | null; html: string | null; text: string | null } | null;
  failure: { bounce: boolean; reason?: string };
}

/** The RECORD_OUTCOMES columns of a group, one entry per outcome. */
export function outcomeColumns(group: OutcomeInput[]) {
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
    channel: [] as Channel[],
    refIds: [] as string[],
    refChannels: [] as string[],
    refs: [] as string[],
  };
  for (const { claim, asOf, channel, result, rendered, failure } of group) {
    cols.id.push(claim.id);
    cols.channel.push(channel);
    for (const ref of result.ok ? (result.providerRefs ?? []) : []) {
      cols.refIds.push(claim.id);
      cols.refChannels.push(channel);
      cols.refs.push(ref);
    }
    cols.fence.push(claim.fence);
    cols.at.push(asOf);
    cols.subject.push(rendered?.subject ?? null);
    cols.html.push(rendered?.html ?? null);
    cols.text.push(rendered?.text ?? null);
    // The channel may ask to wait longer than the back-off (Telegram 429 retry_after, SMPP throttling).
    const retryAfterMs = !result.ok && result.retryAfterMs ? result.retryAfterMs : 0;
    cols.backoff.push(Math.max(backoffMs(claim.attempts), retryAfterMs) / 1000);
    cols.lastError.push(describeFailure(result));
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
      // Email 5xx bounces; Telegram marks the chat only when the bot was blocked (403); an SMS refused for good
      // marks the phone.
      const mark = failure.bounce && (channel !== 'telegram' || result.smtpCode === 403);
      cols.kind.push('permanent');
      cols.reason.push(
        failure.reason ??
          (result.smtpCode ? `${CODE_PREFIX[channel]}_${result.smtpCode}` : 'permanent_failure'),
      );
      cols.bounce.push(mark);
      cols.attemptOutcome.push(mark ? MARKED_OUTCOME[channel] : 'failed');
    }
  }
  return cols;
}
