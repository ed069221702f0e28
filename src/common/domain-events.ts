import { Injectable, Logger } from '@nestjs/common';
import { EntityManager } from 'typeorm';

/**
 * In-process domain events that run inside the emitter's transaction: a listener writes with the same
 * EntityManager, so "visit closed → points earned → survey planned" all happens or none of it does.
 * Listeners register in their module's constructor or onModuleInit.
 */
export interface DomainEventMap {
  /** A service visit was closed (service desk). */
  'service_visit.closed': {
    visitId: string;
    vehicleId: string;
    customerId: string | null;
    rooftopId: string;
    closedAt: Date;
    advisorId: string | null;
    /** Everything the listeners need, so that none re-reads the visit: its customer-pay total (numeric(12,2) string), */
    customerPayAmount: string;
    /** the distinct maintenance item codes the close recorded as performed (sorted), */
    itemCodes: string[];
    /** the vehicle's owner read under the vehicle's lock in this transaction, */
    vehicleOwnerId: string | null;
    /** and when the visit happened: its own date, which a late entry puts well before closedAt. */
    visitDate: Date;
  };
  /** A closed visit was voided: its effects (points, surveys) are reversed. */
  'service_visit.voided': {
    visitId: string;
    vehicleId: string;
    customerId: string | null;
    rooftopId: string;
    voidedAt: Date;
  };
  /** A vehicle was sold to a customer (created with a purchase, or transferred with a sale). */
  'vehicle.sold': {
    vehicleId: string;
    customerId: string;
    rooftopId: string;
    soldById: string | null;
    purchaseDate: string;
    purchaseType: string | null;
  };
  /** A vehicle changed owner: pending messages for the previous owner about it are cancelled. */
  'vehicle.ownership_changed': {
    vehicleId: string;
    previousOwnerId: string | null;
    newOwnerId: string | null;
    at: Date;
  };
  /** A consent changed (granted or withdrawn) for a purpose on a channel. */
  'consent.changed': {
    customerId: string;
    purpose: string;
    channel: 'email' | 'sms' | 'telegram';
    granted: boolean;
    at: Date;
  };
  /**
   * A channel's delivery receipt for something it accepted (an SMPP deliver_sm receipt): `ref` is the
   * channel's id as the send returned it (message_provider_ref). Undeliverable is a permanent failure.
   */
  'message.receipt': {
    channel: 'sms' | 'telegram';
    ref: string;
    delivered: boolean;
    at: Date;
    detail: string;
  };
  /**
   * A customer (or an unknown sender) wrote to us: an incoming SMS (`sender` E.164) or a Telegram message
   * (`sender` the chat id). `providerRef` is unique per channel (SMSC message id, Telegram update id).
   */
  'message.received': {
    channel: 'sms' | 'telegram';
    providerRef: string;
    sender: string;
    text: string;
    receivedAt: Date;
  };
  /** A customer answered a survey. */
  'survey.answered': {
    surveyId: string;
    customerId: string;
    rooftopId: string;
    nps: number | null;
    csat: number | null;
    answeredAt: Date;
  };
  /** A complaint was resolved with goodwill points: loyalty credits them (idempotent per complaint version). */
  'complaint.goodwill_granted': {
    complaintId: string;
    customerId: string;
    rooftopId: string;
    points: number;
    complaintVersion: number;
    grantedById: string;
    at: Date;
  };
  /** A customer's personal data was erased. */
  'customer.erased': { customerId: string; at: Date };
  /** A user logged in with their password (auth): users stamps app_user.last_login_at. */
  'user.logged_in': { userId: string; at: Date };
}

export type DomainEventName = keyof DomainEventMap;
type Listener<K extends DomainEventName> = (
  manager: EntityManager,
  payload: DomainEventMap[K],
) => Promise<void>;

@Injectable()
export class DomainEvents {
  private readonly logger = new Logger(DomainEvents.name);
  private readonly listeners = new Map<DomainEventName, Listener<any>[]>();

  on<K extends DomainEventName>(name: K, listener: Listener<K>): void {
    this.listeners.set(name, [...(this.listeners.get(name) ?? []), listener]);
  }

  /** Runs every listener in the caller's transaction; a failing listener rolls the whole change back. */
  async emit<K extends DomainEventName>(
    manager: EntityManager,
    name: K,
    payload: DomainEventMap[K],
  ): Promise<void> {
    if (!manager.queryRunner?.isTransactionActive) {
      this.logger.warn({ msg: 'domain event emitted outside a transaction', event: name });
    }
    for (const listener of this.listeners.get(name) ?? []) await listener(manager, payload);
  }
}
