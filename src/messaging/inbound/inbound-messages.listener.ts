import { Injectable, OnModuleInit } from '@nestjs/common';
import { DomainEvents } from '../../common/domain-events';
import { InboundMessagesService } from './inbound-messages.service';

/** Incoming texts from the SMS and Telegram drivers, in the driver's transaction; erasure of what was written. */
@Injectable()
export class InboundMessagesListener implements OnModuleInit {
  constructor(
    private readonly events: DomainEvents,
    private readonly inbound: InboundMessagesService,
  ) {}

  onModuleInit() {
    this.events.on('message.received', (m, e) => this.inbound.received(m, e));
    this.events.on('customer.erased', (m, e) => this.inbound.customerErased(m, e));
  }
}
