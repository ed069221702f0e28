import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';

/** A customer found by one of their contact points (an incoming SMS or Telegram message). */
export interface ContactOwner {
  id: string;
  homeRooftopId: string;
  language: string;
  assignedSalespersonId: string | null;
}

/**
 * The customer's contact points for SMS and Telegram (SPEC "Channels"): columns of `customer`, so customers
 * write them; messaging asks here. A permanent failure marks a point (Telegram 403 blocked, an SMS
 * undeliverable receipt) and it is not used until it changes (a new phone number, the chat linked again).
 */
@Injectable()
export class ContactPointsService {
  /** Telegram answered 403 for these customers' chats: the bot was blocked. */
  async markTelegramBlocked(manager: EntityManager, customerIds: string[], at: Date): Promise<void> {
    if (customerIds.length === 0) return;
    await manager.query(
      `UPDATE customer SET telegram_blocked_at = $2, updated_at = now()
        WHERE id = ANY($1::uuid[]) AND telegram_blocked_at IS NULL`,
      [customerIds, at],
    );
  }

  /** An SMS to these customers' phones came back undeliverable. */
  async markPhoneUndeliverable(manager: EntityManager, customerIds: string[], at: Date): Promise<void> {
    if (customerIds.length === 0) return;
    await manager.query(
      `UPDATE customer SET phone_undeliverable_at = $2, updated_at = now()
        WHERE id = ANY($1::uuid[]) AND phone_undeliverable_at IS NULL`,
      [customerIds, at],
    );
  }

  /**
   * Links a Telegram chat to the customer (the customer opened the signed deep link). A chat belongs to one
   * customer: linking it here unlinks it from anyone else. Clears a blocked mark. Returns false when the
   * customer is erased or unknown.
   */
  async linkTelegram(manager: EntityManager, customerId: string, chatId: string, at: Date): Promise<boolean> {
    await manager.query(
      `UPDATE customer SET telegram_chat_id = NULL, telegram_linked_at = NULL, updated_at = now()
        WHERE telegram_chat_id = $1 AND id <> $2`,
      [chatId, customerId],
    );
    const [, linked]: [unknown[], number] = await manager.query(
      `UPDATE customer SET telegram_chat_id = $2, telegram_linked_at = $3, telegram_blocked_at = NULL,
              updated_at = now()
        WHERE id = $1 AND erased_at IS NULL`,
      [customerId, chatId, at],
    );
    return linked > 0;
  }

  /** Unlinks a chat (the customer sent /stop, or an erasure). Returns the customer it belonged to, if any. */
  async unlinkTelegram(manager: EntityManager, chatId: string): Promise<string | null> {
    const [rows]: [{ id: string }[], number] = await manager.query(
      `UPDATE customer SET telegram_chat_id = NULL, telegram_linked_at = NULL, updated_at = now()
        WHERE telegram_chat_id = $1 RETURNING id`,
      [chatId],
    );
    return rows[0]?.id ?? null;
  }

  /** The customer a Telegram chat is linked to. */
  async findByTelegramChat(manager: EntityManager, chatId: string): Promise<ContactOwner | null> {
    const rows: ContactOwner[] = await manager.query(
      `SELECT id, home_rooftop_id AS "homeRooftopId", language, assigned_salesperson_id AS "assignedSalespersonId"
         FROM customer WHERE telegram_chat_id = $1 AND erased_at IS NULL`,
      [chatId],
    );
    return rows[0] ?? null;
  }

  /**
   * The customer with this phone (E.164). When several share it (a family phone), the one most recently
   * updated; staff can re-match the message.
   */
  async findByPhone(manager: EntityManager, phone: string): Promise<ContactOwner | null> {
    const rows: ContactOwner[] = await manager.query(
      `SELECT id, home_rooftop_id AS "homeRooftopId", language, assigned_salesperson_id AS "assignedSalespersonId"
         FROM customer WHERE phone = $1 AND erased_at IS NULL
        ORDER BY updated_at DESC, id LIMIT 1`,
      [phone],
    );
    return rows[0] ?? null;
  }
}
