import { Module } from '@nestjs/common';
import { CustomersModule } from '../../customers/customers.module';
import { TasksModule } from '../../tasks/tasks.module';
import { Conversation360Section } from './conversation-360.section';
import { InboundMessagesController } from './inbound-messages.controller';
import { InboundMessagesListener } from './inbound-messages.listener';
import { InboundMessagesRepository } from './inbound-messages.repository';
import { InboundMessagesService } from './inbound-messages.service';

/**
 * Replies (part of messaging): incoming texts, STOP words, the reply's interaction and task, the staff list
 * and match, and the 360 conversation. Asks customers (contact points, consent, timeline) and tasks.
 */
@Module({
  imports: [CustomersModule, TasksModule],
  controllers: [InboundMessagesController],
  providers: [
    InboundMessagesRepository,
    InboundMessagesService,
    InboundMessagesListener,
    Conversation360Section,
  ],
})
export class InboundMessagesModule {}
