import { Body, Controller, Get, HttpCode, Param, Post, Req, Res } from '@nestjs/common';
import {
  ApiBody,
  ApiConflictResponse,
  ApiConsumes,
  ApiGoneResponse,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiOperation,
  ApiProduces,
  ApiTags,
} from '@nestjs/swagger';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { Public } from '../auth/decorators';
import { PROBLEM_CONTENT } from '../common/http/openapi';
import { asHtml, asPage, FORM, pageBody, wantsHtml } from '../common/http/public-page';
import type { Language } from '../config/app-config';
import { telegramOfferHtml, TelegramOffers } from '../messaging/channels/telegram/telegram-offer';
import { AnswerSurveyDto, SurveyTokenParam } from './dto/survey.dto';
import { renderSurveyForm, renderSurveyMessage } from './survey-page';
import { SurveysService } from './surveys.service';

/** An error answer: problem+json for API clients, a page in the customer's language for browsers. */
const PAGE_OR_PROBLEM = { ...PROBLEM_CONTENT, 'text/html': { schema: { type: 'string' } } };

const OUTCOME_BY_STATUS: Record<number, 'answered' | 'expired' | 'notFound'> = {
  409: 'answered',
  410: 'expired',
  404: 'notFound',
};

/** The public survey link from the invitation email (no login: the signed token is the credential). */
@ApiTags('surveys (public)')
@Public()
@Controller('surveys')
export class SurveysController {
  constructor(
    private readonly surveys: SurveysService,
    private readonly telegram: TelegramOffers,
  ) {}

  @Get(':token')
  @ApiOperation({
    summary: 'The survey: an HTML form for browsers, JSON for API clients; a forged token answers 404',
  })
  @ApiProduces('text/html', 'application/json')
  @ApiNotFoundResponse({ description: 'The token is forged or names no survey', content: PAGE_OR_PROBLEM })
  @ApiGoneResponse({
    description:
      'Browsers only: the survey closed 30 days after it was sent (API clients get `status: expired`)',
    content: { 'text/html': { schema: { type: 'string' } } },
  })
  async view(
    @Param() params: SurveyTokenParam,
    @Req() req: FastifyRequest,
    @Res({ passthrough: true }) reply: FastifyReply,
  ) {
    return this.asPage(req, reply, params.token, async () => {
      const survey = await this.surveys.view(params.token);
      const expired = !survey.answered && Date.parse(survey.expiresAt) <= this.now();
      const status = survey.answered ? 'answered' : expired ? 'expired' : 'open';
      if (!wantsHtml(req)) return { ...survey, status };
      asHtml(reply);
      if (status === 'answered') return renderSurveyMessage(survey.language, 'answered');
      if (status === 'expired') {
        void reply.status(410);
        return renderSurveyMessage(survey.language, 'expired');
      }
      return renderSurveyForm(
        survey.language,
        survey.rooftopName,
        survey.kind,
        `/api/v1/surveys/${encodeURIComponent(params.token)}`,
      );
    });
  }

  @Post(':token')
  @HttpCode(200)
  @ApiOperation({ summary: 'Answer the survey once (again → 409; after 30 days → 410; forged token → 404)' })
  @ApiConsumes('application/json', FORM)
  @ApiBody({ type: AnswerSurveyDto })
  @ApiOkResponse({ description: 'Thank-you page (form post) or { surveyId, category, complaintOpened }' })
  @ApiNotFoundResponse({ description: 'The token is forged or names no survey', content: PAGE_OR_PROBLEM })
  @ApiConflictResponse({ description: 'The survey was already answered', content: PAGE_OR_PROBLEM })
  @ApiGoneResponse({ description: 'The survey closed 30 days after it was sent', content: PAGE_OR_PROBLEM })
  async answer(
    @Param() params: SurveyTokenParam,
    @Body() body: unknown,
    @Req() req: FastifyRequest,
    @Res({ passthrough: true }) reply: FastifyReply,
  ) {
    return this.asPage(req, reply, params.token, async () => {
      const dto = await pageBody(body, AnswerSurveyDto);
      const result = await this.surveys.answer(params.token, dto);
      if (!wantsHtml(req))
        return {
          surveyId: result.surveyId,
          category: result.category,
          complaintOpened: result.complaintId !== null,
        };
      asHtml(reply);
      const offer = await this.telegram.offerFor(result.customerId);
      return renderSurveyMessage(result.language, 'thanks', telegramOfferHtml(offer));
    });
  }

  private now(): number {
    return this.surveys.nowMs();
  }

  /** For browsers, 404/409/410 become a page in the customer's language with the same status. */
  private asPage<T>(
    req: FastifyRequest,
    reply: FastifyReply,
    token: string,
    fn: () => Promise<T>,
  ): Promise<T | string> {
    return asPage(req, reply, fn, async (e) => {
      const outcome = OUTCOME_BY_STATUS[e.status];
      if (!outcome) return undefined;
      const language: Language = (await this.surveys.languageOf(token)) ?? 'en';
      return { status: e.status, html: renderSurveyMessage(language, outcome) };
    });
  }
}
