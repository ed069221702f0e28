import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { AuthUser } from '../auth/auth-user';
import { assertFiltersVisible } from '../auth/filter-ids';
import { Clock } from '../common/clock';
import { Keyset, limitOf, Page } from '../common/http/pagination';
import { NotFoundError } from '../common/problem/domain-error';
import { TaskDto } from '../tasks/dto/task.dto';
import { Task } from '../tasks/task.entity';
import { toTaskDto, TasksService } from '../tasks/tasks.service';
import { jsonEntity, jsonList } from '../customers/json-rows';
import { ComplaintCase } from './complaint-case.entity';
import { ComplaintsService, toComplaintDto } from './complaints.service';
import { ComplaintDto } from './dto/complaint.dto';
import { FeedbackFilterDto, FeedbackItemDto, FeedbackSummaryDto, npsCategory } from './dto/survey.dto';
import { Survey } from './survey.entity';

export function toFeedbackItem(s: Survey): FeedbackItemDto {
  return {
    id: s.id,
    kind: s.kind,
    rooftopId: s.rooftopId,
    customerId: s.customerId,
    vehicleId: s.vehicleId,
    serviceVisitId: s.serviceVisitId,
    salespersonId: s.salespersonId,
    advisorId: s.advisorId,
    nps: s.nps,
    csat: s.csat,
    category: npsCategory(s.nps),
    comment: s.comment,
    issuedAt: s.issuedAt.toISOString(),
    answeredAt: s.answeredAt?.toISOString() ?? null,
    expiresAt: s.expiresAt.toISOString(),
    language: s.language,
  };
}

const CATEGORY_SQL = {
  promoter: 's.nps >= 9',
  passive: 's.nps BETWEEN 7 AND 8',
  detractor: 's.nps <= 6',
} as const;

/** Newest answer first; survey_rooftop_answered_idx (rooftop_id, answered_at DESC, id) serves it. */
const FEEDBACK_KEYS = new Keyset(
  [
    { sql: 's.answered_at', type: 'timestamptz' },
    { sql: 's.id', type: 'uuid' },
  ],
  'DESC',
);

/** Survey answers and their scores (SPEC: NPS = %promoters − %detractors; CSAT = share of 4–5 answers). */
@Injectable()
export class FeedbackService {
  constructor(
    private readonly db: DataSource,
    private readonly clock: Clock,
    private readonly tasks: TasksService,
    private readonly complaints: ComplaintsService,
  ) {}

  /** `?salespersonId=` and `?advisorId=` name users the caller can see (else 404, as for a path id). */
  private assertPeopleVisible(actor: AuthUser, q: FeedbackFilterDto): Promise<void> {
    return assertFiltersVisible(this.db, actor, [
      { field: 'salespersonId', kind: 'user', id: q.salespersonId },
      { field: 'advisorId', kind: 'user', id: q.advisorId },
    ]);
  }

  private filters(actor: AuthUser, q: FeedbackFilterDto, timeColumn: 'answered_at' | 'issued_at') {
    const where: string[] = [];
    const params: unknown[] = [];
    const p = (v: unknown) => {
      params.push(v);
      return `$${params.length}`;
    };
    const scope = actor.rooftopScope();
    if (scope) where.push(`s.rooftop_id = ANY(${p(scope)}::uuid[])`);
    if (q.rooftopId) where.push(`s.rooftop_id = ${p(q.rooftopId)}`);
    if (q.salespersonId) where.push(`s.salesperson_id = ${p(q.salespersonId)}`);
    if (q.advisorId) where.push(`s.advisor_id = ${p(q.advisorId)}`);
    if (q.kind) where.push(`s.kind = ${p(q.kind)}`);
    if (q.from) where.push(`s.${timeColumn} >= ${p(q.from)}::timestamptz`);
    if (q.to) where.push(`s.${timeColumn} < ${p(q.to)}::timestamptz`);
    if (q.category) where.push(CATEGORY_SQL[q.category]);
    return { where, params, p };
  }

  /** Answered surveys, newest answer first; from/to filter the answer time. */
  async list(actor: AuthUser, q: FeedbackFilterDto): Promise<Page<FeedbackItemDto>> {
    if (q.rooftopId) await actor.assertUsableRooftop(this.db, q.rooftopId, 'rooftopId');
    await this.assertPeopleVisible(actor, q);
    const limit = limitOf(q);
    const { where, params, p } = this.filters(actor, q, 'answered_at');
    where.push('s.answered_at IS NOT NULL');
    const cursor = FEEDBACK_KEYS.decode(q.cursor);
    if (cursor) where.push(FEEDBACK_KEYS.after(cursor, p));
    const ids: { id: string }[] = await this.db.query(
      `SELECT s.id, ${FEEDBACK_KEYS.select} FROM survey s WHERE ${where.join(' AND ')}
        ORDER BY ${FEEDBACK_KEYS.orderBy} LIMIT ${limit + 1}`,
      params,
    );
    const page = FEEDBACK_KEYS.page(ids, limit);
    const surveys = page.items.length
      ? await this.db
          .getRepository(Survey)
          .createQueryBuilder('s')
          .whereInIds(page.items.map((r) => r.id))
          .getMany()
      : [];
    const byId = new Map(surveys.map((s) => [s.id, s]));
    return { items: page.items.map((r) => toFeedbackItem(byId.get(r.id)!)), nextCursor: page.nextCursor };
  }

  /**
   * Scores for the invitations issued in [from, to) (a cohort: responses are answers to those invitations,
   * so the response rate never exceeds 1). Invitations planned for later than now are not counted yet.
   */
  async summary(actor: AuthUser, q: FeedbackFilterDto): Promise<FeedbackSummaryDto> {
    if (q.rooftopId) await actor.assertUsableRooftop(this.db, q.rooftopId, 'rooftopId');
    await this.assertPeopleVisible(actor, q);
    const { where, params, p } = this.filters(actor, { ...q, category: undefined }, 'issued_at');
    where.push(`s.issued_at <= ${p(this.clock.now())}::timestamptz`);
    const answered = q.category
      ? `s.answered_at IS NOT NULL AND ${CATEGORY_SQL[q.category]}`
      : 's.answered_at IS NOT NULL';
    const [row] = await this.db.query(
      `SELECT count(*)::int AS invited,
              count(*) FILTER (WHERE ${answered})::int AS responses,
              count(*) FILTER (WHERE ${answered} AND s.nps IS NOT NULL)::int AS nps_responses,
              count(*) FILTER (WHERE ${answered} AND s.nps >= 9)::int AS promoters,
              count(*) FILTER (WHERE ${answered} AND s.nps BETWEEN 7 AND 8)::int AS passives,
              count(*) FILTER (WHERE ${answered} AND s.nps <= 6)::int AS detractors,
              count(*) FILTER (WHERE ${answered} AND s.csat IS NOT NULL)::int AS csat_responses,
              count(*) FILTER (WHERE ${answered} AND s.csat >= 4)::int AS csat_satisfied
         FROM survey s WHERE ${where.join(' AND ')}`,
      params,
    );
    const round = (v: number, d: number) => Math.round(v * 10 ** d) / 10 ** d;
    return {
      invited: row.invited,
      responses: row.responses,
      responseRate: row.invited ? round(row.responses / row.invited, 4) : null,
      nps: row.nps_responses ? round(((row.promoters - row.detractors) / row.nps_responses) * 100, 1) : null,
      promoters: row.promoters,
      passives: row.passives,
      detractors: row.detractors,
      csat: row.csat_responses ? round(row.csat_satisfied / row.csat_responses, 4) : null,
      csatResponses: row.csat_responses,
    };
  }

  /**
   * For the customer 360 and timeline (wired by the customers module): the customer's surveys, tasks and
   * complaints, newest first. The caller has already checked that the actor may see the customer; pass the
   * actor anyway to re-check.
   */
  async sectionsFor360(
    customerId: string,
    actor?: AuthUser,
  ): Promise<{ surveys: FeedbackItemDto[]; tasks: TaskDto[]; complaints: ComplaintDto[] }> {
    if (actor) {
      const [c] = await this.db.query(`SELECT home_rooftop_id FROM customer WHERE id = $1`, [customerId]);
      if (!c || !actor.canSeeRooftop(c.home_rooftop_id)) throw new NotFoundError('Customer');
    }
    // One round trip for the three lists (newest 20 each), hydrated into the entities the mappers take.
    const survey = jsonEntity(this.db, Survey);
    const task = jsonEntity(this.db, Task);
    const complaint = jsonEntity(this.db, ComplaintCase);
    const [row]: { surveys: object[]; tasks: object[]; complaints: object[] }[] = await this.db.query(
      `SELECT ${jsonList(survey.json('s'), 'FROM survey s WHERE s.customer_id = $1', 's.issued_at DESC, s.id DESC', 20)} AS surveys,
              ${jsonList(task.json('t'), 'FROM task t WHERE t.customer_id = $1', 't.created_at DESC, t.id DESC', 20)} AS tasks,
              ${jsonList(complaint.json('c'), 'FROM complaint_case c WHERE c.customer_id = $1', 'c.opened_at DESC, c.id DESC', 20)} AS complaints`,
      [customerId],
    );
    return {
      surveys: row.surveys.map((s) => toFeedbackItem(survey.hydrate(s as Record<string, unknown>))),
      tasks: row.tasks.map((s) => toTaskDto(task.hydrate(s as Record<string, unknown>))),
      complaints: row.complaints.map((s) => toComplaintDto(complaint.hydrate(s as Record<string, unknown>))),
    };
  }
}
