import { Injectable, Logger, OnApplicationBootstrap, Optional } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import { AppConfig } from '../../../config/app-config';
import { ALLOWED_UPDATES } from './telegram-poller';
import { TelegramDriver } from './telegram.driver';

export const WEBHOOK_PATH = '/api/v1/telegram/webhook';

/**
 * With TELEGRAM_UPDATES=webhook, tells Telegram where to deliver updates (PUBLIC_BASE_URL + the webhook path)
 * and with which secret. Every instance may say it: setWebhook with the same values is idempotent. A failure
 * does not stop the app (Telegram keeps the previous webhook); it is logged.
 */
@Injectable()
export class TelegramWebhookSetup implements OnApplicationBootstrap {
  private readonly logger = new Logger('TelegramWebhook');
  /** Settles when the call is done (tests wait for it). */
  done: Promise<void> = Promise.resolve();

  constructor(
    private readonly config: AppConfig,
    private readonly driver: TelegramDriver,
    /** Nest's; without an HTTP adapter (the CLI's application context) the webhook is not set. */
    @Optional() private readonly adapterHost?: HttpAdapterHost,
  ) {}

  onApplicationBootstrap() {
    if (this.config.telegramUpdates !== 'webhook') return;
    if (this.adapterHost && !this.adapterHost.httpAdapter) return;
    this.done = this.driver.api
      .setWebhook(`${this.config.publicBaseUrl}${WEBHOOK_PATH}`, {
        secret_token: this.config.TELEGRAM_WEBHOOK_SECRET,
        allowed_updates: [...ALLOWED_UPDATES],
      })
      .then(
        () => this.logger.log({ msg: 'telegram webhook set' }),
        (e: unknown) =>
          this.logger.warn({
            msg: 'telegram setWebhook failed',
            error: e instanceof Error ? e.message : String(e),
          }),
      );
  }
}
