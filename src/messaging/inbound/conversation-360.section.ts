import { Injectable, OnModuleInit } from '@nestjs/common';
import { Customer360Service, isoSql } from '../../customers/customer-360.service';

/** Messages in one conversation view of the 360. */
const CONVERSATION_LIMIT = 20;

const inScope = (alias: string) => `(p.rooftops IS NULL OR ${alias}.rooftop_id = ANY (p.rooftops))`;

/**
 * The latest messages out (outbox, any channel: channel, kind, status, sent at) and in (channel, text, received
 * at), merged newest first (an outgoing message not sent yet counts from its creation), 20 in all: a SQL section
 * of the 360's one statement (`c` the customer, `p.rooftops` the actor's rooftops). outbox_message_customer_idx
 * and inbound_message_customer_idx serve the halves.
 */
export const CONVERSATION_360_SQL = `(
  SELECT coalesce(json_agg(x.j ORDER BY x.at DESC, x.id DESC), '[]'::json)
    FROM (SELECT u.j, u.at, u.id FROM (
           (SELECT json_build_object('direction', 'out', 'id', o.id, 'channel', o.channel, 'kind', o.kind,
                     'status', o.status, 'sentAt', ${isoSql('o.sent_at')}) AS j,
                   COALESCE(o.sent_at, o.created_at) AS at, o.id
              FROM outbox_message o
             WHERE o.customer_id = c.id AND ${inScope('o')}
             ORDER BY COALESCE(o.sent_at, o.created_at) DESC, o.id DESC LIMIT ${CONVERSATION_LIMIT})
           UNION ALL
           (SELECT json_build_object('direction', 'in', 'id', i.id, 'channel', i.channel, 'kind', i.kind,
                     'text', i.text, 'receivedAt', ${isoSql('i.received_at')}),
                   i.received_at, i.id
              FROM inbound_message i
             WHERE i.customer_id = c.id AND ${inScope('i')}
             ORDER BY i.received_at DESC, i.id DESC LIMIT ${CONVERSATION_LIMIT})
         ) u ORDER BY u.at DESC, u.id DESC LIMIT ${CONVERSATION_LIMIT}) x)`;

/** Adds `conversation` (messages out and in, newest first) to the customer 360. */
@Injectable()
export class Conversation360Section implements OnModuleInit {
  constructor(private readonly c360: Customer360Service) {}

  onModuleInit() {
    this.c360.registerSection('conversation', { sql: CONVERSATION_360_SQL });
  }
}
