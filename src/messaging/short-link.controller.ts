import { Controller, Get, HttpCode, Param, Req, Res } from '@nestjs/common';
import { ApiFoundResponse, ApiNotFoundResponse, ApiOperation, ApiParam, ApiTags } from '@nestjs/swagger';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { Public } from '../auth/decorators';
import { Clock } from '../common/clock';
import { PROBLEM_CONTENT } from '../common/http/openapi';
import { escapeHtml } from '../common/http/html';
import { wantsHtml } from '../common/http/public-page';
import { NotFoundError } from '../common/problem/domain-error';
import { ShortLinks } from './short-links';
import { PAGE_CSP } from './unsubscribe-pages';

const NOT_FOUND = {
  en: ['Link not found', 'This link is not valid or has expired. Please contact your dealership.'],
  km: ['រកមិនឃើញតំណ', 'តំណនេះមិនត្រឹមត្រូវ ឬផុតកំណត់ហើយ។ សូមទាក់ទងហាងលក់រថយន្តរបស់អ្នក។'],
  lo: ['ບໍ່ພົບລິ້ງ', 'ລິ້ງນີ້ບໍ່ຖືກຕ້ອງ ຫຼື ໝົດອາຍຸແລ້ວ. ກະລຸນາຕິດຕໍ່ຮ້ານຂາຍລົດຂອງທ່ານ.'],
} as const;

/** The page of an unknown or expired short link, in the three languages (the code says nothing of its reader). */
function notFoundPage(): string {
  const sections = (['en', 'km', 'lo'] as const)
    .map(
      (l) =>
        `<section lang="${l}"><h1>${escapeHtml(NOT_FOUND[l][0])}</h1><p>${escapeHtml(NOT_FOUND[l][1])}</p></section>`,
    )
    .join('');
  return `<!DOCTYPE html><html lang="mul"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><meta name="robots" content="noindex"><title>${NOT_FOUND.en[0]}</title>
<style>body{font-family:Arial,'Noto Sans Khmer','Noto Sans Lao',sans-serif;background:#f4f5f7;color:#1f2933;margin:0;padding:40px 16px}main{max-width:520px;margin:0 auto;background:#fff;border-radius:6px;padding:28px}h1{font-size:22px}</style></head><body><main>${sections}</main></body></html>`;
}

/** The short links of SMS texts: a public redirect to the signed link stored under the code. */
@ApiTags('short-links')
@Public()
@Controller('l')
export class ShortLinkController {
  constructor(
    private readonly links: ShortLinks,
    private readonly clock: Clock,
  ) {}

  @Get(':code')
  @HttpCode(302)
  @ApiOperation({
    summary: 'Redirects a short link from an SMS to its full link (booking, survey, unsubscribe)',
  })
  @ApiParam({ name: 'code', description: '10 characters, 0-9 A-Z a-z' })
  @ApiFoundResponse({ description: 'Location: the full link' })
  @ApiNotFoundResponse({
    description: 'The code is malformed, unknown or expired: an HTML page for a browser, else problem+json',
    content: { ...PROBLEM_CONTENT, 'text/html': { schema: { type: 'string' } } },
  })
  async follow(@Param('code') code: string, @Req() req: FastifyRequest, @Res() reply: FastifyReply) {
    const target = await this.links.resolve(code, this.clock.now());
    void reply.header('cache-control', 'no-store').header('referrer-policy', 'no-referrer');
    // An API client gets problem+json like everywhere else; a phone's browser gets a page.
    if (!target && !wantsHtml(req)) throw new NotFoundError('Short link');
    if (!target) {
      return reply
        .code(404)
        .header('content-security-policy', PAGE_CSP)
        .type('text/html; charset=utf-8')
        .send(notFoundPage());
    }
    return reply.redirect(target, 302);
  }
}
