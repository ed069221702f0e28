import { Controller, Get, HttpCode, Param, Post, Req, Res } from '@nestjs/common';
import {
  ApiBody,
  ApiConsumes,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiOperation,
  ApiParam,
  ApiTags,
} from '@nestjs/swagger';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { Public } from '../auth/decorators';
import { PROBLEM_CONTENT } from '../common/http/openapi';
import { NotFoundError } from '../common/problem/domain-error';
import { confirmPage, donePage, notFoundPage, PAGE_CSP } from './unsubscribe-pages';
import { UnsubscribeService } from './unsubscribe.service';

/** RFC 8058: the body a mail client posts for one-click unsubscribe. */
const ONE_CLICK_BODY = 'List-Unsubscribe=One-Click';

/** The public unsubscribe link of every email. GET asks, POST acts (RFC 8058 one-click). */
@ApiTags('unsubscribe')
@Public()
@Controller('unsubscribe')
export class UnsubscribeController {
  constructor(private readonly unsubscribe: UnsubscribeService) {}

  @Get(':token')
  @ApiOperation({ summary: 'Confirmation page in the customer’s language (changes nothing)' })
  @ApiParam({ name: 'token', description: 'Signed token from the email’s List-Unsubscribe link' })
  @ApiOkResponse({ description: 'HTML page with a button that POSTs to the same URL' })
  @ApiNotFoundResponse({
    description: 'An HTML page: the link is forged or names nobody',
    content: { 'text/html': { schema: { type: 'string' } } },
  })
  async confirm(@Param('token') token: string, @Res() reply: FastifyReply) {
    const target = await this.unsubscribe.resolve(token);
    void reply.header('content-security-policy', PAGE_CSP).header('cache-control', 'no-store');
    if (!target) return reply.code(404).type('text/html; charset=utf-8').send(notFoundPage());
    return reply
      .type('text/html; charset=utf-8')
      .send(confirmPage(target.language, target.scope, target.rooftopName));
  }

  @Post(':token')
  @HttpCode(200)
  @ApiOperation({
    summary: 'Unsubscribe at once',
    description:
      'Withdraws consent for the purpose named by the token and suppresses pending messages of it. Answers HTML, or JSON when the client asks for application/json or posts the RFC 8058 body `List-Unsubscribe=One-Click`.',
  })
  @ApiParam({ name: 'token', description: 'Signed token from the email’s List-Unsubscribe link' })
  // RFC 8058: mail clients post `List-Unsubscribe=One-Click` as a form (urlencoded or multipart).
  @ApiConsumes('application/x-www-form-urlencoded', 'multipart/form-data', 'application/json')
  @ApiBody({ required: false, schema: { type: 'string', example: 'List-Unsubscribe=One-Click' } })
  @ApiOkResponse({
    description: 'Unsubscribed',
    schema: { example: { unsubscribed: true, purposes: ['marketing'], suppressedMessages: 1 } },
  })
  @ApiNotFoundResponse({
    description: 'The link is forged or names nobody: problem+json for JSON clients, else an HTML page',
    content: { ...PROBLEM_CONTENT, 'text/html': { schema: { type: 'string' } } },
  })
  async act(@Param('token') token: string, @Req() request: FastifyRequest, @Res() reply: FastifyReply) {
    const json = wantsJson(request);
    const result = await this.unsubscribe.unsubscribe(token);
    if (!result) {
      if (json) throw new NotFoundError('Unsubscribe link');
      return reply
        .code(404)
        .header('content-security-policy', PAGE_CSP)
        .type('text/html; charset=utf-8')
        .send(notFoundPage());
    }
    if (json) {
      return reply.send({
        unsubscribed: true,
        purposes:
          result.scope === 'all'
            ? ['service_reminders', 'follow_ups', 'surveys', 'marketing']
            : [result.scope],
        suppressedMessages: result.suppressedMessages,
      });
    }
    return reply
      .header('content-security-policy', PAGE_CSP)
      .header('cache-control', 'no-store')
      .type('text/html; charset=utf-8')
      .send(donePage(result.language, result.scope, result.rooftopName));
  }
}

function wantsJson(request: FastifyRequest): boolean {
  const body = request.body;
  // urlencoded 'List-Unsubscribe=One-Click', or the same field in a multipart/form-data body.
  if (
    typeof body === 'string' &&
    (body.trim() === ONE_CLICK_BODY || /name="List-Unsubscribe"\s+One-Click/.test(body))
  ) {
    return true;
  }
  if (
    body &&
    typeof body === 'object' &&
    (body as Record<string, unknown>)['List-Unsubscribe'] === 'One-Click'
  )
    return true;
  const accept = String(request.headers.accept ?? '');
  return /application\/(problem\+)?json/.test(accept) && !/text\/html/.test(accept);
}
