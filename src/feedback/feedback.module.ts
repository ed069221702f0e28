import { CustomersModule } from '../customers/customers.module';
import { Feedback360Section } from './feedback-360.section';
import { Module, OnModuleInit } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import type { FastifyInstance } from 'fastify';
import { TasksModule } from '../tasks/tasks.module';
import { ComplaintSlaJob } from './complaint-sla.job';
import { ComplaintsController } from './complaints.controller';
import { ComplaintsService } from './complaints.service';
import { FeedbackErasureListener } from './feedback-erasure.listener';
import { FeedbackController } from './feedback.controller';
import { FeedbackService } from './feedback.service';
import { OpenComplaintRule } from './open-complaint.rule';
import { SurveysController } from './surveys.controller';
import { SurveyInvitationsService } from './survey-invitations.service';
import { SurveyVoidedListener } from './survey-voided.listener';
import { SurveysService } from './surveys.service';

/** Surveys (public link, answers, NPS/CSAT), complaint cases with SLA, and the feedback sections of the 360. */
@Module({
  imports: [TasksModule, CustomersModule],
  controllers: [SurveysController, FeedbackController, ComplaintsController],
  providers: [
    SurveysService,
    SurveyInvitationsService,
    ComplaintsService,
    FeedbackService,
    ComplaintSlaJob,
    OpenComplaintRule,
    Feedback360Section,
    FeedbackErasureListener,
    SurveyVoidedListener,
  ],
  exports: [FeedbackService, ComplaintsService, SurveyInvitationsService],
})
export class FeedbackModule implements OnModuleInit {
  constructor(private readonly http: HttpAdapterHost) {}

  /** The survey page posts a form: keep the raw text (the messaging module registers the same parser). */
  onModuleInit() {
    const fastify = this.http.httpAdapter?.getInstance<FastifyInstance>();
    const type = 'application/x-www-form-urlencoded';
    if (!fastify?.hasContentTypeParser || fastify.hasContentTypeParser(type)) return;
    fastify.addContentTypeParser(type, { parseAs: 'string', bodyLimit: 16 * 1024 }, (_req, body, done) =>
      done(null, body),
    );
  }
}
