import { HttpStatus, Injectable } from '@nestjs/common';
import { DataSource, EntityManager } from 'typeorm';
import { Clock } from '../common/clock';
import { InteractionsService } from '../customers/interactions.service';
import { DomainEvents } from '../common/domain-events';
import { LinkSigner } from '../common/link-signer';
import { ConflictError, DomainError, NotFoundError } from '../common/problem/domain-error';
import type { Language } from '../config/app-config';
import { ComplaintsService } from './complaints.service';
import { AnswerSurveyDto, npsCategory, NpsCategory } from './dto/survey.dto';
import { Survey, SurveyKind } from './survey.entity';

export class SurveyExpiredError extends DomainError {
  constructor() {
    super(HttpStatus.GONE, 'survey_expired', 'This survey closed 30 days after it was sent');
  }
}

export interface PublicSurvey {
  id: string;
  kind: SurveyKind;
  language: Language;
  rooftopName: string;
  answered: boolean;
  expiresAt: string;
}

/** The customer's side of a survey: the signed link, the page's data and the one-time answer. */
@Injectable()
export class SurveysService {
  constructor(
    private readonly db: DataSource,
    private readonly clock: Clock,
    private readonly links: LinkSigner,
    private readonly events: DomainEvents,
    private readonly complaints: ComplaintsService,
    private readonly interactions: InteractionsService,
  ) {}

  nowMs(): number {
    return this.clock.now().getTime();
  }

  /** A forged, altered or unknown token answers 404. */
  private async byToken(
    m: EntityManager,
    token: string,
    lock = false,
  ): Promise<{ survey: Survey; rooftopName: string }> {
    const claims = this.links.verify<{ s?: unknown; c?: unknown }>('survey', token);
    if (
      !claims ||
      typeof claims.s !== 'string' ||
      typeof claims.c !== 'string' ||
      !/^[0-9a-f-]{36}$/i.test(claims.s)
    )
      throw new NotFoundError('Survey');
    const survey = await m.findOne(Survey, {
      where: { id: claims.s },
      ...(lock ? { lock: { mode: 'pessimistic_write' as const } } : {}),
    });
    if (!survey || survey.customerId !== claims.c) throw new NotFoundError('Survey');
    const [rooftop] = await m.query(`SELECT name FROM rooftop WHERE id = $1`, [survey.rooftopId]);
    return { survey, rooftopName: rooftop?.name ?? '' };
  }

  async view(token: string): Promise<PublicSurvey> {
    const { survey, rooftopName } = await this.byToken(this.db.manager, token);
    return {
      id: survey.id,
      kind: survey.kind,
      language: survey.language,
      rooftopName,
      answered: survey.answeredAt !== null,
      expiresAt: survey.expiresAt.toISOString(),
    };
  }

  /** The language to show an error page in, when the token at least names a survey. */
  async languageOf(token: string): Promise<Language | null> {
    try {
      return (await this.byToken(this.db.manager, token)).survey.language;
    } catch {
      return null;
    }
  }

  /**
   * Records the answer once (again → 409; after 30 days → 410). In the same transaction: a note on the
   * customer's timeline, 'survey.answered' (loyalty points) and, for a detractor or CSAT 1–2, a complaint case.
   */
  async answer(
    token: string,
    dto: AnswerSurveyDto,
  ): Promise<{
    surveyId: string;
    category: NpsCategory | null;
    language: Language;
    complaintId: string | null;
    customerId: string;
  }> {
    return this.db.transaction(async (m) => {
      const { survey } = await this.byToken(m, token, true);
      if (survey.answeredAt)
        throw new ConflictError('survey_answered', 'This survey has already been answered');
      const now = this.clock.now();
      if (now >= survey.expiresAt) throw new SurveyExpiredError();
      survey.answeredAt = now;
      survey.nps = dto.nps;
      survey.csat = dto.csat;
      survey.comment = dto.comment?.trim() || null;
      await m.save(survey);
      const category = npsCategory(survey.nps);
      await this.interactions.log(m, {
        customerId: survey.customerId,
        rooftopId: survey.rooftopId,
        kind: 'note',
        direction: 'inbound',
        summary: `Answered the ${survey.kind} survey: NPS ${survey.nps} (${category}), CSAT ${survey.csat}`,
        at: now,
        createdBy: null,
      });
      await this.events.emit(m, 'survey.answered', {
        surveyId: survey.id,
        customerId: survey.customerId,
        rooftopId: survey.rooftopId,
        nps: survey.nps,
        csat: survey.csat,
        answeredAt: now,
      });
      let complaintId: string | null = null;
      if (category === 'detractor' || (survey.csat !== null && survey.csat <= 2)) {
        complaintId = (await this.complaints.openFromSurvey(m, survey)).id;
      }
      return {
        surveyId: survey.id,
        category,
        language: survey.language,
        complaintId,
        customerId: survey.customerId,
      };
    });
  }
}
