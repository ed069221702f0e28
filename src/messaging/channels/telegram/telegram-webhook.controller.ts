import { Body, Controller, Headers, HttpCode, Post } from '@nestjs/common';
import {
  ApiBody,
  ApiHeader,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiOperation,
  ApiTags,
  ApiUnauthorizedResponse,
} from '@nestjs/swagger';
import type { Update } from 'grammy/types';
import { timingSafeEqual, createHash } from 'node:crypto';
import { Public } from '../../../auth/decorators';
import { AppConfig } from '../../../config/app-config';
import { DomainError, NotFoundError, ValidationFailedError } from '../../../common/problem/domain-error';
import { TelegramUpdatesService } from './telegram-updates.service';

export const WEBHOOK_SECRET_HEADER = 'x-telegram-bot-api-secret-token';

/** Telegram's webhook (TELEGRAM_UPDATES=webhook): public, but only with the secret set at setWebhook. */
@ApiTags('telegram')
@Public()
@Controller('telegram')
export class TelegramWebhookController {
  constructor(
    private readonly config: AppConfig,
    private readonly updates: TelegramUpdatesService,
  ) {}

  @Post('webhook')
  @HttpCode(200)
  @ApiOperation({
    summary: 'Telegram delivers one update (called by Telegram, not by clients)',
    description:
      'Needs the `X-Telegram-Bot-Api-Secret-Token` header equal to TELEGRAM_WEBHOOK_SECRET. An update is acted on once, however often it is delivered. 404 when updates do not arrive by webhook.',
  })
  @ApiHeader({ name: 'X-Telegram-Bot-Api-Secret-Token', required: true })
  @ApiBody({ schema: { type: 'object', example: { update_id: 1, message: { text: '/stop' } } } })
  @ApiOkResponse({ schema: { example: { ok: true } } })
  @ApiUnauthorizedResponse({ description: 'The secret header is missing or wrong' })
  @ApiNotFoundResponse({ description: 'Updates are not taken by webhook here' })
  async webhook(@Headers(WEBHOOK_SECRET_HEADER) secret: string | undefined, @Body() body: unknown) {
    if (this.config.telegramUpdates !== 'webhook' || !this.config.TELEGRAM_WEBHOOK_SECRET)
      throw new NotFoundError('Route');
    if (!sameSecret(secret, this.config.TELEGRAM_WEBHOOK_SECRET))
      throw new DomainError(401, 'unauthorized', 'The Telegram secret token is missing or wrong');
    const update = body as Partial<Update> | null;
    if (
      typeof update !== 'object' ||
      update === null ||
      Array.isArray(update) ||
      !Number.isSafeInteger(update.update_id) ||
      (update.update_id as number) < 0
    )
      throw new ValidationFailedError([{ field: 'update_id', message: 'must be a non-negative integer' }]);
    await this.updates.handle(update as Update);
    return { ok: true };
  }
}

/** Constant-time comparison (of digests, so that the length leaks nothing either). */
function sameSecret(given: string | undefined, expected: string): boolean {
  if (typeof given !== 'string') return false;
  const a = createHash('sha256').update(given).digest();
  const b = createHash('sha256').update(expected).digest();
  return timingSafeEqual(a, b);
}
