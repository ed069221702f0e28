import { Global, Module, OnModuleInit } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import type { FastifyInstance } from 'fastify';
import { CustomersModule } from '../customers/customers.module';
import { BookingLinks } from './booking-links';
import { EmailDriver } from './channels/email.driver';
import { SmsDriver } from './channels/sms/sms.driver';
import { TelegramModule } from './channels/telegram/telegram.module';
import { DispatcherService } from './dispatcher.service';
import { registerFormBodyParsers } from './form-body';
import { InboundMessagesModule } from './inbound/inbound-messages.module';
import { MessagesController } from './messages.controller';
import { MessagesService } from './messages.service';
import { MessagingListeners } from './messaging.listeners';
import { OutboxDispatchJob } from './outbox-dispatch.job';
import { OutboxService } from './outbox.service';
import { SendingRules } from './sending-rules';
import { ShortLinkController } from './short-link.controller';
import { ShortLinks } from './short-links';
import { ShortTextComposer } from './channels/short-text.composer';
import { ShortTextRenderer } from './templates/short-text-renderer';
import { TemplateRenderer } from './template-renderer';
import { UnsubscribeLinks } from './unsubscribe-links';
import { UnsubscribeController } from './unsubscribe.controller';
import { UnsubscribeService } from './unsubscribe.service';

/** Outbox, templates, transport, dispatcher, unsubscribe. Global so every module can enqueue email. */
@Global()
@Module({
  // Messaging asks customers (consent decisions, the unsubscribe link's withdrawal); never the other way.
  imports: [CustomersModule, InboundMessagesModule, TelegramModule],
  controllers: [MessagesController, UnsubscribeController, ShortLinkController],
  providers: [
    OutboxService,
    SendingRules,
    TemplateRenderer,
    EmailDriver,
    SmsDriver,
    UnsubscribeLinks,
    DispatcherService,
    OutboxDispatchJob,
    UnsubscribeService,
    MessagesService,
    MessagingListeners,
    BookingLinks,
    ShortLinks,
    ShortTextRenderer,
    ShortTextComposer,
  ],
  exports: [
    BookingLinks,
    OutboxService,
    SendingRules,
    TemplateRenderer,
    UnsubscribeLinks,
    DispatcherService,
    TelegramModule,
  ],
})
export class MessagingModule implements OnModuleInit {
  constructor(private readonly adapterHost: HttpAdapterHost) {}

  onModuleInit() {
    // No HTTP adapter in the CLI: nothing to parse there.
    const fastify = this.adapterHost.httpAdapter?.getInstance?.<FastifyInstance | undefined>();
    if (typeof fastify?.hasContentTypeParser === 'function') registerFormBodyParsers(fastify);
  }
}
