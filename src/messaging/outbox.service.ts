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
