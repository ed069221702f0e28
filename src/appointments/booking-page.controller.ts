import { Body, Controller, Get, HttpCode, HttpStatus, Param, Post, Req, Res } from '@nestjs/common';
import { ApiBody, ApiConsumes, ApiOkResponse, ApiOperation, ApiProduces, ApiTags } from '@nestjs/swagger';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { Public } from '../auth/decorators';
import { asHtml, asPage, FORM, pageBody, wantsHtml } from '../common/http/public-page';
import { renderBookingOutcome, renderBookingPage } from './booking-page';
import { BookingPageService } from './booking-page.service';
import { toView } from './appointments.service';
import { telegramOfferHtml, TelegramOffers } from '../messaging/channels/telegram/telegram-offer';
import { BookingActionDto, BookingTokenParam } from './dto/booking-page.dto';

/** The public booking link from an email (no login: the signed token is the credential). */
@ApiTags('booking (public)')
@Public()
@Controller('book')
export class BookingPageController {
  constructor(
    private readonly booking: BookingPageService,
    private readonly telegram: TelegramOffers,
  ) {}

  @Get(':token')
  @ApiOperation({
    summary: 'The booking page: free slots of the next 14 days (HTML for browsers, JSON for API clients)',
  })
  @ApiProduces('text/html', 'application/json')
  async view(
    @Param() params: BookingTokenParam,
    @Req() req: FastifyRequest,
    @Res({ passthrough: true }) reply: FastifyReply,
  ) {
    return this.asPage(req, reply, params.token, async () => {
      const model = await this.booking.view(params.token);
      if (!wantsHtml(req)) return model;
      asHtml(reply);
      return renderBookingPage(model);
    });
  }

  @Post(':token')
  @HttpCode(200)
  @ApiOperation({ summary: 'Book, move or cancel (until the lead time) the appointment of this link' })
  @ApiConsumes('application/json', FORM)
  @ApiBody({ type: BookingActionDto })
  @ApiOkResponse({ description: 'A confirmation page (form post) or the appointment (JSON)' })
  async act(
    @Param() params: BookingTokenParam,
    @Body() body: unknown,
    @Req() req: FastifyRequest,
    @Res({ passthrough: true }) reply: FastifyReply,
  ) {
    return this.asPage(req, reply, params.token, async () => {
      const dto = await pageBody(body, BookingActionDto, ['itemCodes']);
      const result = await this.booking.act(params.token, dto);
      if (!wantsHtml(req)) return { outcome: result.outcome, appointment: toView(result.appointment) };
      asHtml(reply);
      const offer =
        result.outcome === 'booked' ? await this.telegram.offerFor(result.appointment.customerId) : null;
      return renderBookingOutcome(result.language, result.outcome, {
        when: result.appointment.slotStart,
        timeZone: result.timeZone,
        rooftopName: result.rooftopName,
        back: `/api/v1/book/${encodeURIComponent(params.token)}`,
        extraHtml: telegramOfferHtml(offer),
      });
    });
  }

  /** For browsers: a full slot shows the page again with a notice (409); an invalid link a page in its language. */
  private asPage<T>(
    req: FastifyRequest,
    reply: FastifyReply,
    token: string,
    fn: () => Promise<T>,
  ): Promise<T | string> {
    return asPage(req, reply, fn, async (e) => {
      if (e.code === 'slot_full')
        return {
          status: 409,
          html: renderBookingPage({ ...(await this.booking.view(token)), notice: 'slotFull' }),
        };
      if (e.status !== HttpStatus.NOT_FOUND) return undefined;
      return { status: 404, html: renderBookingOutcome(this.booking.languageOf(token), 'notFound') };
    });
  }
}
