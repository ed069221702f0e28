import { Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';

import type { Purpose } from '../customers/consent-rules';

/** Consent purposes are customers' (consent-rules.ts); re-exported for the modules that enqueue by purpose. */
export { PURPOSES, type Purpose } from '../customers/consent-rules';
export type MessagePurpose = Purpose | 'transactional';

export interface EnqueueMessage {
  /** Unique forever: e.g. `svc:<vehicle>:<item>:<cycle>:<stage>` or `sale:<vehicle>:+1d`. */
  dedupeKey: string;
  rooftopId: string;
  customerId: string;
  vehicleId?: string | null;
  /** Template name, e.g. `service_reminder`, `sale_thank_you`, `survey_invitation`. */
  kind: string;
  purpose: MessagePurpose;
  /** Data for the template (items, dates, links). No rendering happens here. */
  payload?: Record<string, unknown>;
  /** The earliest instant it may be sent; the dispatcher applies the sending rules from there. */
  scheduledAt: Date;
}

/**
 * The outbox's set-based insert: the rows of `sourceSql`, a SELECT with the columns dedupe_key, rooftop_id,
 * customer_id, vehicle_id, kind, purpose, payload (jsonb) and scheduled_at, each key at most once, returning the
 * ids added. `OutboxService.enqueueFromQuery` runs it; a planner that must add its messages in the same statement
 * as its own rows (the service-reminder digests, built from the stage rows that statement inserts) embeds this
 * statement as a CTE, so the outbox still decides how its rows are written.
 */
export function outboxInsertSql(sourceSql: string): string {
  return `INSERT INTO outbox_message (dedupe_key, rooftop_id, customer_id, vehicle_id, kind, purpose, payload, scheduled_at, next_attempt_at)
    SELECT s.dedupe_key::text, s.rooftop_id::uuid, s.customer_id::uuid, s.vehicle_id::uuid, s.kind::text,
           s.purpose::text, s.payload::jsonb, s.scheduled_at::timestamptz, s.scheduled_at::timestamptz
      FROM (${sourceSql}) s
    ON CONFLICT (dedupe_key) DO NOTHING
    RETURNING id`;
}

/**
 * Writes outgoing emails into the outbox inside the caller's transaction. A message whose dedupe key
 * already exists is silently skipped, which is what makes planners safe to re-run and to run twice.
 */
@Injectable()
export class OutboxService {
  /** Returns the ids of the rows actually inserted (empty when the key already existed). */
  async enqueue(manager: EntityManager, message: EnqueueMessage): Promise<string | null> {
    const rows: { id: string }[] = await manager.query(
      `INSERT INTO outbox_message (dedupe_key, rooftop_id, customer_id, vehicle_id, kind, purpose, payload, scheduled_at, next_attempt_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $8)
       ON CONFLICT (dedupe_key) DO NOTHING
       RETURNING id`,
      [
        message.dedupeKey,
        message.rooftopId,
        message.customerId,
        message.vehicleId ?? null,
        message.kind,
        message.purpose,
        JSON.stringify(message.payload ?? {}),
        message.scheduledAt,
      ],
    );
    return rows[0]?.id ?? null;
  }

  /**
   * Set-based enqueue for planners: the rows of `source.sql`, a SELECT with the columns dedupe_key, rooftop_id,
   * customer_id, vehicle_id, kind, purpose, payload (jsonb) and scheduled_at, inserted by one INSERT … SELECT
   * that the outbox runs; keys that already exist are skipped. Returns how many messages were added.
   */
  async enqueueFromQuery(
    manager: EntityManager,
    source: { sql: string; params: unknown[] },
  ): Promise<number> {
    const rows: { n: number }[] = await manager.query(
      `WITH ins AS (${outboxInsertSql(source.sql)}) SELECT count(*)::int AS n FROM ins`,
      source.params,
    );
    return rows[0].n;
  }

  /** Several messages in one statement (as `enqueue`, each key at most once). Returns how many were added. */
  async enqueueMany(manager: EntityManager, messages: EnqueueMessage[]): Promise<number> {
    if (messages.length === 0) return 0;
    return this.enqueueFromQuery(manager, {
      sql: `SELECT m.dedupe_key, m.rooftop_id, m.customer_id, m.vehicle_id, m.kind, m.purpose, m.payload, m.scheduled_at
              FROM jsonb_to_recordset($1::jsonb) AS m(dedupe_key text, rooftop_id uuid, customer_id uuid, vehicle_id uuid,
                   kind text, purpose text, payload jsonb, scheduled_at timestamptz, ord int)
             ORDER BY m.ord`,
      params: [
        JSON.stringify(
          messages.map((m, ord) => ({
            dedupe_key: m.dedupeKey,
            rooftop_id: m.rooftopId,
            customer_id: m.customerId,
            vehicle_id: m.vehicleId ?? null,
            kind: m.kind,
            purpose: m.purpose,
            payload: m.payload ?? {},
            scheduled_at: m.scheduledAt.toISOString(),
            ord,
          })),
        ),
      ],
    });
  }

  /**
   * Digests (a message whose payload lists `items`, each with a vehicleId and an itemCode — the service reminder
   * digest): removes the items of a vehicle (all, or the given codes) from the pending digests of `kind`, optionally
   * only those of one customer; a digest left with no item is cancelled with `reason`.
   */
  async removeDigestItems(
    manager: EntityManager,
    filter: { kind: string; vehicleId: string; itemCodes?: string[]; customerId?: string | null },
    reason: string,
  ): Promise<{ messagesChanged: number; messagesCancelled: number }> {
    // The kind is a literal in the statement so that a partial index on it (outbox_message_svc_pending_idx) applies.
    if (!/^[a-z_]+$/.test(filter.kind)) throw new Error(`not a message kind: ${filter.kind}`);
    const keep = `(SELECT coalesce(jsonb_agg(e.it ORDER BY e.ord), '[]'::jsonb)
                     FROM jsonb_array_elements(m.payload->'items') WITH ORDINALITY AS e(it, ord)
                    WHERE NOT (e.it->>'vehicleId' = $1::text AND ($2::text[] IS NULL OR e.it->>'itemCode' = ANY ($2::text[]))))`;
    // TypeORM answers an UPDATE with [rows, affectedCount].
    const [rows]: [{ cancelled: boolean }[], number] = await manager.query(
      `UPDATE outbox_message m
          SET payload = jsonb_set(m.payload, '{items}', ${keep}),
              status = CASE WHEN jsonb_array_length(${keep}) = 0 THEN 'cancelled' ELSE m.status END,
              status_reason = CASE WHEN jsonb_array_length(${keep}) = 0 THEN $4 ELSE m.status_reason END,
              updated_at = now()
        WHERE m.kind = '${filter.kind}' AND m.status = 'pending'
          AND ($3::uuid IS NULL OR m.customer_id = $3::uuid)
          AND m.payload->'items' @> jsonb_build_array(jsonb_build_object('vehicleId', $1::text))
          AND jsonb_array_length(${keep}) < jsonb_array_length(m.payload->'items')
        RETURNING m.status = 'cancelled' AS cancelled`,
      [filter.vehicleId, filter.itemCodes ?? null, filter.customerId ?? null, reason],
    );
    return { messagesChanged: rows.length, messagesCancelled: rows.filter((r) => r.cancelled).length };
  }

  /** Cancels pending messages matching a filter (serviced item, owner change, consent withdrawn). */
  async cancelPending(
    manager: EntityManager,
    filter: {
      customerId?: string;
      vehicleId?: string;
      purpose?: MessagePurpose;
      kind?: string;
      dedupeKeyPrefix?: string;
    },
    reason: string,
  ): Promise<number> {
    const clauses: string[] = [`status = 'pending'`];
    const params: unknown[] = [];
    const add = (sql: string, value: unknown) => {
      params.push(value);
      clauses.push(sql.replace('?', `$${params.length}`));
    };
    if (filter.customerId) add('customer_id = ?', filter.customerId);
    if (filter.vehicleId) add('vehicle_id = ?', filter.vehicleId);
    if (filter.purpose) add('purpose = ?', filter.purpose);
    if (filter.kind) add('kind = ?', filter.kind);
    if (filter.dedupeKeyPrefix) add(`dedupe_key LIKE ? || '%'`, filter.dedupeKeyPrefix);
    if (params.length === 0) throw new Error('cancelPending needs a filter');
    params.push(reason);
    const result: [unknown[], number] = await manager.query(
      `UPDATE outbox_message SET status = 'cancelled', status_reason = $${params.length}, updated_at = now() WHERE ${clauses.join(' AND ')}`,
      params,
    );
    return result[1] ?? 0;
  }
}
