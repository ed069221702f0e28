import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { Keyset } from '../../common/http/pagination';
import { DEFAULT_OPENING_HOURS, WorkingWeek, hasWorkingHours } from './working-hours';

export type InboundChannel = 'sms' | 'telegram';
export type InboundKind = 'reply' | 'stop';

export interface InboundRow {
  id: string;
  channel: InboundChannel;
  kind: InboundKind;
  sender: string;
  text: string;
  receivedAt: Date;
  customerId: string | null;
  rooftopId: string | null;
  interactionId: string | null;
  taskId: string | null;
  matchedAt: Date | null;
  matchedBy: string | null;
}

const COLUMNS = `i.id, i.channel, i.kind, i.sender, i.text, i.received_at AS "receivedAt", i.customer_id AS "customerId",
  i.rooftop_id AS "rooftopId", i.interaction_id AS "interactionId", i.task_id AS "taskId", i.matched_at AS "matchedAt", i.matched_by AS "matchedBy"`;

/** Newest first; inbound_message_rooftop_idx (rooftop_id, received_at DESC, id DESC) serves a rooftop's list. */
export const INBOUND_KEYS = new Keyset(
  [
    { sql: 'i.received_at', type: 'timestamptz' },
    { sql: 'i.id', type: 'uuid' },
  ],
  'DESC',
);

export interface InboundListFilter {
  /** Rooftops the reader may see (null: all). */
  scope: string[] | null;
  /** Whether rows without a rooftop (unmatched senders) are shown too. */
  withoutRooftop: boolean;
  matched?: boolean;
  channel?: InboundChannel;
  after?: string[];
  limit: number;
}

/**
 * Statements on inbound_message (messaging owns it). Reads of other modules' tables are read-only and
 * set-based: the customers sharing a phone (a STOP), the rooftop's zone and its service calendar's hours.
 */
@Injectable()
export class InboundMessagesRepository {
  /**
   * Keeps an incoming text once per (channel, provider_ref) — inbound_message_ref_uq. Returns the new row's id,
   * or null when the provider delivered it before (an SMSC re-sends deliver_sm, Telegram repeats an update).
   */
  async insertOnce(
    m: EntityManager,
    e: { channel: InboundChannel; providerRef: string; sender: string; text: string; receivedAt: Date },
    kind: InboundKind,
  ): Promise<string | null> {
    const rows: { id: string }[] = await m.query(
      `INSERT INTO inbound_message (channel, provider_ref, sender, text, received_at, kind)
       VALUES ($1, $2, $3, $4, $5, $6)
       ON CONFLICT (channel, provider_ref) DO NOTHING
       RETURNING id`,
      [e.channel, e.providerRef, e.sender, e.text, e.receivedAt, kind],
    );
    return rows[0]?.id ?? null;
  }

  /** Links the row to its customer (and the customer's home rooftop), its timeline entry and its task, if any. */
  async link(
    m: EntityManager,
    id: string,
    link: {
      customerId: string;
      rooftopId: string;
      interactionId: string | null;
      taskId: string | null;
      at: Date;
      by: string | null;
    },
  ): Promise<void> {
    await m.query(
      `UPDATE inbound_message SET customer_id = $2, rooftop_id = $3, interaction_id = $4, task_id = $5,
              matched_at = $6, matched_by = $7
        WHERE id = $1`,
      [id, link.customerId, link.rooftopId, link.interactionId, link.taskId, link.at, link.by],
    );
  }

  /** One row, locked for a match (two staff matching the same text at once: the second sees it matched). */
  async lockOne(m: EntityManager, id: string): Promise<InboundRow | null> {
    const rows: InboundRow[] = await m.query(
      `SELECT ${COLUMNS} FROM inbound_message i WHERE i.id = $1 FOR UPDATE`,
      [id],
    );
    return rows[0] ?? null;
  }

  async findOne(m: EntityManager, id: string): Promise<InboundRow | null> {
    const rows: InboundRow[] = await m.query(`SELECT ${COLUMNS} FROM inbound_message i WHERE i.id = $1`, [
      id,
    ]);
    return rows[0] ?? null;
  }

  /** A page of the staff list, newest first, `limit + 1` rows with the keyset columns. */
  async list(m: EntityManager, f: InboundListFilter): Promise<InboundRow[]> {
    const params: unknown[] = [];
    const p = (v: unknown) => {
      params.push(v);
      return `$${params.length}`;
    };
    const where: string[] = [];
    if (f.scope) {
      const granted = `i.rooftop_id = ANY(${p(f.scope)}::uuid[])`;
      where.push(f.withoutRooftop ? `(${granted} OR i.rooftop_id IS NULL)` : granted);
    } else if (!f.withoutRooftop) where.push('i.rooftop_id IS NOT NULL');
    if (f.matched !== undefined) where.push(`i.customer_id IS ${f.matched ? 'NOT ' : ''}NULL`);
    if (f.channel) where.push(`i.channel = ${p(f.channel)}`);
    if (f.after) where.push(INBOUND_KEYS.after(f.after, p));
    return m.query(
      `SELECT ${COLUMNS}, ${INBOUND_KEYS.select} FROM inbound_message i
        ${where.length ? `WHERE ${where.join(' AND ')}` : ''}
        ORDER BY ${INBOUND_KEYS.orderBy} LIMIT ${f.limit + 1}`,
      params,
    );
  }

  /** Every (not erased) customer with this phone: a STOP withdraws SMS consent for all who share it. */
  async customersWithPhone(m: EntityManager, phone: string): Promise<string[]> {
    const rows: { id: string }[] = await m.query(
      `SELECT id FROM customer WHERE phone = $1 AND erased_at IS NULL ORDER BY id`,
      [phone],
    );
    return rows.map((r) => r.id);
  }

  /**
   * The rooftop's working week: its service calendar's opening hours and closed dates when it has a calendar
   * with hours, else Mon–Sat 08:00–17:00, in the rooftop's zone. A read of appointments' service_calendar:
   * messaging cannot import appointments' ServiceCalendarService (appointments imports messaging).
   */
  async workingWeek(m: EntityManager, rooftopId: string): Promise<WorkingWeek> {
    const [row]: {
      time_zone: string;
      opening_hours: WorkingWeek['openingHours'] | null;
      closed_dates: string[] | null;
    }[] = await m.query(
      `SELECT r.time_zone, c.opening_hours,
                array(SELECT to_char(d, 'YYYY-MM-DD') FROM unnest(c.closed_dates) d) AS closed_dates
           FROM rooftop r LEFT JOIN service_calendar c ON c.rooftop_id = r.id WHERE r.id = $1`,
      [rooftopId],
    );
    const timeZone = row?.time_zone ?? 'Asia/Phnom_Penh';
    if (row?.opening_hours && hasWorkingHours({ openingHours: row.opening_hours }))
      return { timeZone, openingHours: row.opening_hours, closedDates: row.closed_dates ?? [] };
    return { timeZone, openingHours: DEFAULT_OPENING_HOURS, closedDates: [] };
  }

  /** The id of the task a reply raised (its dedupe key), to link it on the row. */
  async taskIdOf(m: EntityManager, dedupeKey: string): Promise<string | null> {
    const rows: { id: string }[] = await m.query(`SELECT id FROM task WHERE dedupe_key = $1`, [dedupeKey]);
    return rows[0]?.id ?? null;
  }

  /** Erasure: the texts a customer wrote and the number or chat they wrote from go; the row stays counted. */
  async scrubCustomer(m: EntityManager, customerId: string): Promise<void> {
    await m.query(`UPDATE inbound_message SET text = '', sender = '' WHERE customer_id = $1`, [customerId]);
  }
}
