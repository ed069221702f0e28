import { Controller, Get, Headers, Param, ParseUUIDPipe, Query, Res } from '@nestjs/common';
import {
  ApiBearerAuth,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiOperation,
  ApiProduces,
  ApiConflictResponse,
  ApiTags,
} from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { toBuffer, toDataURL } from 'qrcode';
import { AuthUser } from '../../../auth/auth-user';
import { CurrentUser } from '../../../auth/decorators';
import { Clock } from '../../../common/clock';
import { ConflictError } from '../../../common/problem/domain-error';
import { CustomersService } from '../../../customers/customers.service';
import { DataSource } from 'typeorm';
import { TelegramLinkDto, TelegramLinkQueryDto } from './dto/telegram-link.dto';
import { TelegramLinks } from './telegram-links';
import { telegramTexts } from './telegram-texts';

const QR_OPTIONS = { errorCorrectionLevel: 'M' as const, margin: 2, width: 480 };

/** The deep link for the service desk: shown to the customer as a QR code, or printed. */
@ApiTags('customers')
@ApiBearerAuth()
@Controller('customers')
export class TelegramLinkController {
  constructor(
    private readonly db: DataSource,
    private readonly clock: Clock,
    private readonly customers: CustomersService,
    private readonly links: TelegramLinks,
  ) {}

  @Get(':id/telegram-link')
  @ApiOperation({
    summary: 'The customer’s Telegram opt-in deep link, with its QR code',
    description:
      'A signed `https://t.me/<bot>?start=<token>` link, valid 30 days. Opening it and pressing Start links the customer’s chat and records their consent. JSON with the QR code as a data URL; the PNG itself with `Accept: image/png` or `?format=png`.',
  })
  @ApiProduces('application/json', 'image/png')
  @ApiOkResponse({ type: TelegramLinkDto })
  @ApiNotFoundResponse({ description: 'No such customer, or one of a rooftop you cannot see' })
  @ApiConflictResponse({ description: 'No Telegram bot is configured (telegram_not_configured)' })
  async link(
    @Param('id', new ParseUUIDPipe()) id: string,
    @Query() query: TelegramLinkQueryDto,
    @Headers('accept') accept: string | undefined,
    @CurrentUser() actor: AuthUser,
    @Res({ passthrough: true }) reply: FastifyReply,
  ) {
    const customer = await this.customers.findWritable(this.db.manager, id, actor);
    const link = await this.links.linkFor(customer.id, this.clock.now());
    if (!link)
      throw new ConflictError(
        'telegram_not_configured',
        'No Telegram bot is configured here (TELEGRAM_BOT_TOKEN, or TELEGRAM_BOT_USERNAME)',
      );
    // The link lets whoever opens it receive this customer's messages: never cached.
    void reply.header('cache-control', 'no-store').header('vary', 'Accept');
    if (query.format === 'png' || (query.format !== 'json' && wantsPng(accept))) {
      void reply.type('image/png');
      return toBuffer(link.url, { ...QR_OPTIONS, type: 'png' });
    }
    const rooftop: { name: string }[] = await this.db.query(`SELECT name FROM rooftop WHERE id = $1`, [
      customer.homeRooftopId,
    ]);
    return {
      url: link.url,
      expiresAt: link.expiresAt.toISOString(),
      qrPng: await toDataURL(link.url, { ...QR_OPTIONS, type: 'image/png' }),
      wording: telegramTexts(customer.language).optIn(rooftop[0]?.name ?? ''),
    } satisfies TelegramLinkDto;
  }
}

/** `Accept: image/png` (or image/* before any JSON) asks for the picture. */
function wantsPng(accept: string | undefined): boolean {
  if (!accept) return false;
  const types = accept.split(',').map((t) => t.split(';', 1)[0].trim().toLowerCase());
  const png = types.findIndex((t) => t === 'image/png' || t === 'image/*');
  const json = types.findIndex((t) => t === 'application/json');
  return png !== -1 && (json === -1 || png < json);
}
