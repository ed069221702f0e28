import { Column, Entity, PrimaryGeneratedColumn, VersionColumn } from 'typeorm';
import type { Channel } from '../common/channels';
import type { Language } from '../config/app-config';

/**
 * A dealership customer. `version` guards updates (If-Match); after erasure the row stays, anonymised,
 * so that vehicles, visits and statistics keep their references.
 */
@Entity('customer')
export class Customer {
  @PrimaryGeneratedColumn('uuid') id: string;
  @Column({ type: 'uuid' }) homeRooftopId: string;
  /** The DMS's id; unique; the key of idempotent CSV imports. */
  @Column({ type: 'text', nullable: true }) externalId: string | null;
  @Column() firstName: string;
  @Column() lastName: string;
  @Column({ type: 'text', nullable: true }) email: string | null;
  /** E.164, e.g. +85512345678. */
  @Column({ type: 'text', nullable: true }) phone: string | null;
  @Column({ type: 'text', nullable: true }) address: string | null;
  /** Calendar date (YYYY-MM-DD). */
  @Column({ type: 'date', nullable: true }) birthday: string | null;
  @Column({ type: 'text' }) language: Language;
  @Column({ type: 'uuid', nullable: true }) assignedSalespersonId: string | null;
  @Column() emailBouncing: boolean;
  /** The channel the customer asked to be reached on first (null: the rooftop's order). */
  @Column({ type: 'text', nullable: true }) preferredChannel: Channel | null;
  /** The Telegram chat the customer linked through the signed deep link (null: not linked). */
  @Column({ type: 'bigint', nullable: true }) telegramChatId: string | null;
  @Column({ type: 'timestamptz', nullable: true }) telegramLinkedAt: Date | null;
  /** Set when Telegram answered 403 (the customer blocked the bot): the chat is not used until linked again. */
  @Column({ type: 'timestamptz', nullable: true }) telegramBlockedAt: Date | null;
  /** Set by an SMS "undeliverable" receipt: the phone is not used for SMS until it changes. */
  @Column({ type: 'timestamptz', nullable: true }) phoneUndeliverableAt: Date | null;
  @Column({ type: 'timestamptz', nullable: true }) erasedAt: Date | null;
  @VersionColumn() version: number;
  @Column({ type: 'timestamptz' }) createdAt: Date;
  @Column({ type: 'timestamptz' }) updatedAt: Date;
}
