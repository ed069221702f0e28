import { Injectable, OnModuleInit } from '@nestjs/common';
import { Customer360Service } from '../../customers/customer-360.service';
import { InboundMessagesRepository } from './inbound-messages.repository';

/** Messages in one conversation view of the 360. */
const CONVERSATION_LIMIT = 20;

/**
 * Adds `conversation` to the customer 360: the latest messages out (channel, kind, status, sent at) and in
 * (channel, text, received at), merged newest first.
 */
@Injectable()
export class Conversation360Section implements OnModuleInit {
  constructor(
    private readonly c360: Customer360Service,
    private readonly repo: InboundMessagesRepository,
  ) {}

  onModuleInit() {
    this.c360.registerSection('conversation', async (ctx) =>
      (await this.repo.conversation(ctx.manager, ctx.customer.id, ctx.scope, CONVERSATION_LIMIT)).map((r) =>
        r.direction === 'out'
          ? {
              direction: 'out',
              id: r.id,
              channel: r.channel,
              kind: r.kind,
              status: r.status,
              sentAt: r.sentAt,
            }
          : {
              direction: 'in',
              id: r.id,
              channel: r.channel,
              kind: r.kind,
              text: r.text,
              receivedAt: r.receivedAt,
            },
      ),
    );
  }
}
