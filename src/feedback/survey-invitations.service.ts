import { Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { LinkSigner } from '../common/link-signer';
import { OutboxService } from '../messaging/outbox.service';

/** SPEC "Feedback": a survey can be answered for 30 days after it is sent. */
export const SURVEY_VALID_DAYS = 30;

/**
 * The columns a set-based invitation reads from its source SELECT: survey_kind ('sale' | 'service'), rooftop_id,
 * customer_id, vehicle_id, service_visit_id, salesperson_id, advisor_id, dedupe_key (also the email's key),
 * language, issued_at (when the email goes out) and vehicle (jsonb, for the email).
 */
export interface SurveySource {
  sql: string;
  params: unknown[];
}

/**
 * Survey invitations, the surveys module's API for planners: the survey rows first (a survey's id goes into its
 * signed link), then one invitation email per survey added, through the outbox. A dedupe key that exists adds
 * neither, so re-runs and concurrent planners invite once.
 */
@Injectable()
export class SurveyInvitationsService {
  constructor(
    private readonly links: LinkSigner,
    private readonly outbox: OutboxService,
  ) {}

  /** Returns how many surveys were added (each with its invitation). */
  async inviteFromQuery(m: EntityManager, source: SurveySource): Promise<number> {
    const created: {
      id: string;
      rooftop_id: string;
      customer_id: string;
      vehicle_id: string | null;
      issued_at: Date;
      expires_at: Date;
      dedupe_key: string;
      kind: string;
      vehicle: unknown;
    }[] = await m.query(
      `WITH c AS (${source.sql}),
            s AS (
              INSERT INTO survey (kind, rooftop_id, customer_id, vehicle_id, service_visit_id, salesperson_id, advisor_id, dedupe_key, language, issued_at, expires_at)
              SELECT survey_kind::text, rooftop_id::uuid, customer_id::uuid, vehicle_id::uuid, service_visit_id::uuid,
                     salesperson_id::uuid, advisor_id::uuid, dedupe_key::text, language::text, issued_at::timestamptz,
                     issued_at::timestamptz + interval '${SURVEY_VALID_DAYS} days'
                FROM c
              ON CONFLICT (dedupe_key) DO NOTHING
              RETURNING id, rooftop_id, customer_id, vehicle_id, issued_at, expires_at, dedupe_key, kind)
       SELECT s.*, c.vehicle FROM s JOIN c ON c.dedupe_key = s.dedupe_key`,
      source.params,
    );
    await this.outbox.enqueueMany(
      m,
      created.map((survey) => {
        const token = this.links.sign('survey', { s: survey.id, c: survey.customer_id });
        return {
          dedupeKey: survey.dedupe_key,
          rooftopId: survey.rooftop_id,
          customerId: survey.customer_id,
          vehicleId: survey.vehicle_id,
          kind: 'survey_invitation',
          purpose: 'surveys' as const,
          payload: {
            surveyId: survey.id,
            surveyKind: survey.kind,
            isService: survey.kind === 'service',
            surveyUrl: this.links.url(`/api/v1/surveys/${token}`),
            expiresAt: new Date(survey.expires_at).toISOString(),
            vehicle: survey.vehicle,
          },
          scheduledAt: new Date(survey.issued_at),
        };
      }),
    );
    return created.length;
  }
}
