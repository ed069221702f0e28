import { Global, Module } from '@nestjs/common';
import { OutboxService } from './outbox.service';

/** Outbox, templates, transport, dispatcher, unsubscribe. Global so every module can enqueue email. */
@Global()
@Module({ providers: [OutboxService], exports: [OutboxService] })
export class MessagingModule {}
