import { Body, Controller, Get, HttpCode, HttpStatus, Param, Post, Req, Res } from '@nestjs/common';
import { ApiBody, ApiConsumes, ApiOkResponse, ApiOperation, ApiProduces, ApiTags } from '@nestjs/swagger';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { Public } from '../auth/decorators';
import { DomainError } from '../common/problem/domain-error';
import { createValidationPipe } from '../common/problem/validation.pipe';
import { renderBookingOutcome, renderBookingPage } from './booking-page';
import { BookingPageService } from './booking-page.service';
import { toView } from './appointments.service';
import { BookingActionDto, BookingTokenParam } from './dto/booking-page.dto';

const FORM = 'application/x-www-form-urlencoded';

/** Browsers (Accept: text/html, or the page's own form post) get pages; API clients get JSON. */
function wantsHtml(req: FastifyRequest): boolean {
  const accept = String(req.headers.accept ?? '');
  const contentType = String(req.headers['content-type'] ?? '');
  return (
    contentType.startsWith(FORM) || (accept.includes('text/html') && !accept.startsWith('application/json'))
  );
}

const validation = createValidationPipe();

/** The form arrives as raw text (several itemCodes kept as an array) or as an object; JSON as an object. */
async function actionBody(body: unknown): Promise<BookingActionDto> {
  let plain: unknown = body ?? {};
  if (typeof body === 'string') {
    const form = new URLSearchParams(body);
    const fields: Record<string, unknown> = Object.fromEntries(form);
    if (form.has('itemCodes')) fields.itemCodes = form.getAll('itemCodes');
    plain = fields;
  }
  return validation.transform(plain, {
    type: 'body',
    metatype: BookingActionDto,
  }) as Promise<BookingActionDto>;
}

/** The public booking link from an email (no login: the signed token is the credential). */
@ApiTags('booking (public)')
@Public()
@Controller('book')
export class BookingPageController {
  constructor(private readonly booking: BookingPageService) {}

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
      void reply.type('text/html; charset=utf-8');
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
      const dto = await actionBody(body);
      const result = await this.booking.act(params.token, dto);
      if (!wantsHtml(req)) return { outcome: result.outcome, appointment: toView(result.appointment) };
      void reply.type('text/html; charset=utf-8');
      return renderBookingOutcome(result.language, result.outcome, {
        when: result.appointment.slotStart,
        timeZone: result.timeZone,
        rooftopName: result.rooftopName,
        back: `/api/v1/book/${encodeURIComponent(params.token)}`,
      });
    });
  }

  /** For browsers: a full slot shows the page again with a notice (409); an invalid link a page in its language. */
  private async asPage<T>(
    req: FastifyRequest,
    reply: FastifyReply,
    token: string,
    fn: () => Promise<T>,
  ): Promise<T | string> {
    try {
      return await fn();
    } catch (e) {
      if (!(e instanceof DomainError) || !wantsHtml(req)) throw e;
      if (e.code === 'slot_full') {
        void reply.status(409).type('text/html; charset=utf-8');
        return renderBookingPage({ ...(await this.booking.view(token)), notice: 'slotFull' });
      }
      if (e.status !== HttpStatus.NOT_FOUND) throw e;
      void reply.status(404).type('text/html; charset=utf-8');
      return renderBookingOutcome(this.booking.languageOf(token), 'notFound');
    }
  }
}
