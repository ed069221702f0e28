import { Module } from '@nestjs/common';
import { CustomersModule } from '../../../customers/customers.module';
import { TelegramLinkController } from './telegram-link.controller';
import { TelegramLinks } from './telegram-links';
import { TelegramOffers } from './telegram-offer';
import { TelegramPoller } from './telegram-poller';
import { TelegramUpdatesService } from './telegram-updates.service';
import { TelegramWebhookSetup } from './telegram-webhook-setup';
import { TelegramWebhookController } from './telegram-webhook.controller';
import { TelegramDriver } from './telegram.driver';

/**
 * The Telegram channel: the driver (sends), the deep link (opt-in), and updates by webhook or long polling
 * (/start, /stop, replies). Messaging imports and re-exports it.
 */
@Module({
  imports: [CustomersModule],
  controllers: [TelegramWebhookController, TelegramLinkController],
  providers: [
    TelegramDriver,
    TelegramLinks,
    TelegramOffers,
    TelegramUpdatesService,
    TelegramPoller,
    TelegramWebhookSetup,
  ],
  exports: [TelegramDriver, TelegramLinks, TelegramOffers],
})
export class TelegramModule {}
