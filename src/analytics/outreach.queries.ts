/**
 * Outreach analytics: which visits the messages brought (reminder effectiveness per kind and channel) and the
 * figures of each channel. Same conventions as analytics.queries.ts: set-based, `$1` the rooftop scope (uuid[]),
 * instants half-open [from, to).
 */

/** Outreach purposes whose messages take part in reminder effectiveness (surveys and transactional mail do not). */
export const OUTREACH_PURPOSES = ['service_reminders', 'follow_ups', 'marketing'];

/**
 * The attribution of visits to outreach messages (reminder effectiveness, channel figures), as CTEs after a
 * `sent` CTE of the period's messages: `visits` = closed visits in (from, to + 30 days); `attributed` = each of
 * them with the latest outreach message ($4 purposes) sent for its vehicle (or, for messages without a vehicle,
 * to its customer = the owner at the visit) strictly before the visit and at most 30 days before it, whichever
 * rooftop sent it. A visit counts for a period's message only if that message is the latest one.
 * Indexes: service_visit_closed_date_idx (visits up to 30 days after `to`), outbox_message_vehicle_idx and
 * outbox_message_customer_novehicle_sent_idx (the latest message before each visit).
 */
const ATTRIBUTION_CTES = `
  visits AS (
    SELECT sv.id, sv.vehicle_id, sv.customer_id, sv.visit_date, sv.customer_pay_amount FROM service_visit sv
     WHERE sv.status = 'closed' AND sv.visit_date > $2 AND sv.visit_date < $3::timestamptz + interval '30 days'
  ), attributed AS (
    SELECT a.id AS message_id, v.id AS visit_id, v.customer_pay_amount
      FROM visits v
      CROSS JOIN LATERAL (
        SELECT x.id FROM (
          (SELECT m.id, m.sent_at FROM outbox_message m
            WHERE m.vehicle_id = v.vehicle_id AND m.status = 'sent' AND m.purpose = ANY ($4::text[])
              AND m.sent_at < v.visit_date AND m.sent_at >= v.visit_date - interval '30 days'
            ORDER BY m.sent_at DESC, m.id DESC LIMIT 1)
          UNION ALL
          (SELECT m.id, m.sent_at FROM outbox_message m
            WHERE v.customer_id IS NOT NULL AND m.customer_id = v.customer_id AND m.vehicle_id IS NULL
              AND m.status = 'sent' AND m.purpose = ANY ($4::text[])
              AND m.sent_at < v.visit_date AND m.sent_at >= v.visit_date - interval '30 days'
            ORDER BY m.sent_at DESC, m.id DESC LIMIT 1)
        ) x ORDER BY x.sent_at DESC, x.id DESC LIMIT 1
      ) a
  )`;

/**
 * Reminder effectiveness per message kind and channel, for outreach messages ($4 purposes) SENT in [from, to)
 * by a rooftop in scope, with the visits attributed to them (ATTRIBUTION_CTES). Revenue = customer_pay_amount of
 * the attributed visits (warranty and internal excluded). A message's channel is the one it went out on
 * (messages from before channels existed went by email). Index: outbox_message_rooftop_sent_idx (the period's
 * messages), and those of the attribution.
 */
export const REMINDER_EFFECTIVENESS_SQL = `
  WITH sent AS (
    SELECT m.id, m.kind, COALESCE(m.channel, 'email') AS channel FROM outbox_message m
     WHERE m.status = 'sent' AND m.rooftop_id = ANY ($1::uuid[]) AND m.sent_at >= $2 AND m.sent_at < $3
       AND m.purpose = ANY ($4::text[])
  ), ${ATTRIBUTION_CTES}
  SELECT s.kind, s.channel,
         count(DISTINCT s.id)::int AS sent,
         count(a.visit_id)::int AS attributed_visits,
         count(DISTINCT a.message_id)::int AS converted_messages,
         COALESCE(sum(a.customer_pay_amount), 0)::numeric(14,2)::text AS attributed_revenue
    FROM sent s
    LEFT JOIN attributed a ON a.message_id = s.id
   GROUP BY s.kind, s.channel
   ORDER BY s.kind, s.channel`;

/**
 * Per channel ($5, in that order), for the messages of the $1 rooftops, from their attempts finished in
 * [from, to): sent = messages the channel accepted (also a message marked sent in the period with no attempt row,
 * as imported history may be); of them delivered / undeliverable by the channel's receipt
 * (an undeliverable receipt puts the channel in failed_channels and the message falls back; delivered is the
 * receipt of the channel the message ended on); failed = messages whose attempt on the channel failed for good
 * (refused, bounced, blocked, or the last attempt once retries ran out). Then, as reminder effectiveness
 * counts them, the outreach messages ($4 purposes) sent in [from, to) by the channel that reached the customer,
 * the visits attributed to them (ATTRIBUTION_CTES) and how many converted. No channel reports reads.
 * Indexes: message_attempt_finished_idx (the period's attempts), outbox_message_pkey,
 * outbox_message_rooftop_sent_idx (the period's outreach), those of the attribution.
 */
export const CHANNEL_FIGURES_SQL = `
  WITH sent AS (
    SELECT m.id, COALESCE(m.channel, 'email') AS channel FROM outbox_message m
     WHERE m.status = 'sent' AND m.rooftop_id = ANY ($1::uuid[]) AND m.sent_at >= $2 AND m.sent_at < $3
       AND m.purpose = ANY ($4::text[])
  ), ${ATTRIBUTION_CTES}, attempts AS (
    SELECT a.message_id, COALESCE(a.channel, 'email') AS channel, a.outcome,
           a.outcome = 'temporary_failure' AND m.status = 'failed' AND m.status_reason = 'retries_exhausted'
             AND NOT EXISTS (SELECT 1 FROM message_attempt l
                              WHERE l.message_id = a.message_id AND l.attempt > a.attempt) AS exhausted
      FROM message_attempt a
      JOIN outbox_message m ON m.id = a.message_id AND m.rooftop_id = ANY ($1::uuid[])
     WHERE a.finished_at >= $2 AND a.finished_at < $3
  ), accepted AS (
    SELECT message_id AS id, channel FROM attempts WHERE outcome = 'sent'
    UNION
    SELECT m.id, COALESCE(m.channel, 'email') FROM outbox_message m
     WHERE m.status = 'sent' AND m.rooftop_id = ANY ($1::uuid[]) AND m.sent_at >= $2 AND m.sent_at < $3
  ), per_accepted AS (
    SELECT ac.channel, count(*)::int AS sent,
           count(*) FILTER (WHERE m.channel = ac.channel AND m.delivery_status = 'delivered')::int AS delivered,
           count(*) FILTER (WHERE ac.channel = ANY (m.failed_channels))::int AS undeliverable
      FROM accepted ac JOIN outbox_message m ON m.id = ac.id
     GROUP BY ac.channel
  ), per_failed AS (
    SELECT channel, count(DISTINCT message_id)::int AS failed FROM attempts
     WHERE outcome NOT IN ('sent', 'temporary_failure', 'lease_expired') OR exhausted
     GROUP BY channel
  ), per_outreach AS (
    SELECT s.channel, count(DISTINCT s.id)::int AS outreach_sent, count(a.visit_id)::int AS attributed_visits,
           count(DISTINCT a.message_id)::int AS converted_messages,
           COALESCE(sum(a.customer_pay_amount), 0)::numeric(14,2)::text AS attributed_revenue
      FROM sent s LEFT JOIN attributed a ON a.message_id = s.id
     GROUP BY s.channel
  )
  SELECT ch.channel,
         COALESCE(pa.sent, 0) AS sent, COALESCE(pa.delivered, 0) AS delivered,
         COALESCE(pa.undeliverable, 0) AS undeliverable, COALESCE(pf.failed, 0) AS failed,
         COALESCE(po.outreach_sent, 0) AS outreach_sent,
         COALESCE(po.attributed_visits, 0) AS attributed_visits,
         COALESCE(po.converted_messages, 0) AS converted_messages,
         COALESCE(po.attributed_revenue, '0.00') AS attributed_revenue
    FROM unnest($5::text[]) WITH ORDINALITY AS ch(channel, n)
    LEFT JOIN per_accepted pa ON pa.channel = ch.channel
    LEFT JOIN per_failed pf ON pf.channel = ch.channel
    LEFT JOIN per_outreach po ON po.channel = ch.channel
   ORDER BY ch.n`;
