import { Injectable, Logger } from '@nestjs/common';
import { DataSource, EntityManager } from 'typeorm';
import { AuditService } from '../audit/audit.service';
import { AuthUser } from '../auth/auth-user';
import { assertFiltersVisible } from '../auth/filter-ids';
import { Clock } from '../common/clock';
import { DomainEvents } from '../common/domain-events';
import { Keyset, limitOf, Page } from '../common/http/pagination';
import {
  ConflictError,
  ForbiddenError,
  NotFoundError,
  PreconditionFailedError,
  UnprocessableError,
} from '../common/problem/domain-error';
import { managersOf } from '../tasks/assignees';
import { ComplaintCase, ComplaintNote, ComplaintSeverity, ComplaintState } from './complaint-case.entity';
import {
  ComplaintDto,
  ListComplaintsQueryDto,
  OpenComplaintDto,
  ResolveComplaintDto,
} from './dto/complaint.dto';
import type { Survey } from './survey.entity';

const HOUR_MS = 3_600_000;
/** SPEC: first response within 24 h, resolution within 7 days. */
export const FIRST_RESPONSE_HOURS = 24;
export const RESOLUTION_DAYS = 7;

export type ComplaintAction = 'acknowledge' | 'resolve' | 'close' | 'reopen';
/** open → acknowledged → resolved → closed; resolved/closed → open (reopen). Anything else is a 409. */
const TRANSITIONS: Record<ComplaintAction, { from: ComplaintState[]; to: ComplaintState }> = {
  acknowledge: { from: ['open'], to: 'acknowledged' },
  resolve: { from: ['acknowledged'], to: 'resolved' },
  close: { from: ['resolved'], to: 'closed' },
  reopen: { from: ['resolved', 'closed'], to: 'open' },
};

export function toComplaintDto(c: ComplaintCase, notes?: ComplaintNote[]): ComplaintDto {
  const iso = (d: Date | null) => (d ? d.toISOString() : null);
  return {
    id: c.id,
    rooftopId: c.rooftopId,
    customerId: c.customerId,
    surveyId: c.surveyId,
    source: c.source,
    severity: c.severity,
    summary: c.summary,
    ownerId: c.ownerId,
    state: c.state,
    openedAt: c.openedAt.toISOString(),
    firstResponseDueAt: c.firstResponseDueAt.toISOString(),
    resolutionDueAt: c.resolutionDueAt.toISOString(),
    acknowledgedAt: iso(c.acknowledgedAt),
    resolvedAt: iso(c.resolvedAt),
    closedAt: iso(c.closedAt),
    resolution: c.resolution,
    apologySent: c.apologySent,
    goodwillPoints: c.goodwillPoints,
    breachedFirstResponse: c.breachedFirstResponse,
    breachedResolution: c.breachedResolution,
    version: c.version,
    ...(notes
      ? {
          notes: notes.map((n) => ({
            id: n.id,
            authorId: n.authorId,
            body: n.body,
            createdAt: n.createdAt.toISOString(),
          })),
        }
      : {}),
  };
}

/** Newest first; complaint_case_rooftop_idx (rooftop_id, opened_at DESC, id) serves it with an incremental sort. */
const COMPLAINT_KEYS = new Keyset(
  [
    { sql: 'c.opened_at', type: 'timestamptz' },
    { sql: 'c.id', type: 'uuid' },
  ],
  'DESC',
);

/** Complaint cases: opened by detractors (automatically) or by staff; managed by managers and admins. */
@Injectable()
export class ComplaintsService {
  private readonly logger = new Logger('Complaints');

  constructor(
    private readonly db: DataSource,
    private readonly clock: Clock,
    private readonly audit: AuditService,
    private readonly events: DomainEvents,
  ) {}

  /** Staff open a case from a call, email, visit or social media (every role may). */
  async open(dto: OpenComplaintDto, actor: AuthUser): Promise<ComplaintDto> {
    return this.db.transaction(async (m) => {
      const [customer] = await m.query(`SELECT id, home_rooftop_id FROM customer WHERE id = $1`, [
        dto.customerId,
      ]);
      actor.assertRooftopIn(customer?.home_rooftop_id, 'customerId', 'Customer');
      const rooftopId: string = customer.home_rooftop_id;
      let ownerId = dto.ownerId ?? null;
      if (ownerId) {
        // A user the caller cannot see answers 404, one of another rooftop 422 (docs/security.md "Rooftop scoping").
        const owner = await AuthUser.namedUser(m, ownerId);
        actor.assertColleague(owner, rooftopId, 'ownerId');
        if (!owner.active || !['admin', 'manager'].includes(owner.role))
          throw new UnprocessableError(
            'invalid_owner',
            'The owner must be an active manager of the customer’s rooftop',
            [{ field: 'ownerId', message: 'not a manager of this rooftop' }],
          );
      } else {
        ownerId = (await managersOf(m, rooftopId))[0] ?? null;
      }
      const saved = await this.insertCase(m, {
        rooftopId,
        customerId: dto.customerId,
        surveyId: null,
        source: dto.source,
        severity: dto.severity ?? 'medium',
        summary: dto.summary,
        ownerId,
        createdBy: actor.id,
      });
      await this.audit.record(m, actor, {
        action: 'complaint.opened',
        entityType: 'complaint_case',
        entityId: saved.id,
        rooftopId,
      });
      return toComplaintDto(saved, []);
    });
  }

  /** A detractor (NPS 0–6) or CSAT 1–2 opens a case owned by the rooftop's manager, in the answer's transaction. */
  async openFromSurvey(m: EntityManager, survey: Survey): Promise<ComplaintCase> {
    const severity: ComplaintSeverity =
      (survey.nps !== null && survey.nps <= 3) || survey.csat === 1 ? 'high' : 'medium';
    const [ownerId] = await managersOf(m, survey.rooftopId);
    const parts = [
      survey.nps !== null ? `NPS ${survey.nps}` : null,
      survey.csat !== null ? `CSAT ${survey.csat}` : null,
    ]
      .filter(Boolean)
      .join(', ');
    return this.insertCase(m, {
      rooftopId: survey.rooftopId,
      customerId: survey.customerId,
      surveyId: survey.id,
      source: 'survey',
      severity,
      summary: `Unhappy ${survey.kind} survey answer (${parts})`,
      ownerId: ownerId ?? null,
      createdBy: null,
    });
  }

  private async insertCase(
    m: EntityManager,
    c: Pick<
      ComplaintCase,
      'rooftopId' | 'customerId' | 'surveyId' | 'source' | 'severity' | 'summary' | 'ownerId' | 'createdBy'
    >,
  ): Promise<ComplaintCase> {
    const now = this.clock.now();
    return m.save(
      m.create(ComplaintCase, {
        ...c,
        state: 'open',
        openedAt: now,
        firstResponseDueAt: new Date(now.getTime() + FIRST_RESPONSE_HOURS * HOUR_MS),
        resolutionDueAt: new Date(now.getTime() + RESOLUTION_DAYS * 24 * HOUR_MS),
        acknowledgedAt: null,
        resolvedAt: null,
        closedAt: null,
        resolution: null,
        apologySent: false,
        goodwillPoints: 0,
        breachedFirstResponse: false,
        breachedResolution: false,
      }),
    );
  }

  async get(id: string, actor: AuthUser): Promise<ComplaintDto> {
    const c = await this.visible(this.db.manager, id, actor);
    const notes = await this.db
      .getRepository(ComplaintNote)
      .find({ where: { caseId: id }, order: { createdAt: 'ASC', id: 'ASC' } });
    return toComplaintDto(c, notes);
  }

  /** Newest first; served by complaint_case_rooftop_idx. */
  async list(actor: AuthUser, q: ListComplaintsQueryDto): Promise<Page<ComplaintDto>> {
    if (q.rooftopId) await actor.assertUsableRooftop(this.db, q.rooftopId, 'rooftopId');
    await assertFiltersVisible(this.db, actor, [
      { field: 'ownerId', kind: 'user', id: q.ownerId },
      { field: 'customerId', kind: 'customer', id: q.customerId },
    ]);
    const limit = limitOf(q);
    const qb = this.db.getRepository(ComplaintCase).createQueryBuilder('c');
    const scope = actor.rooftopScope();
    if (scope) qb.andWhere('c.rooftop_id = ANY(:scope)', { scope });
    if (q.rooftopId) qb.andWhere('c.rooftop_id = :rooftopId', { rooftopId: q.rooftopId });
    if (q.state) qb.andWhere('c.state = :state', { state: q.state });
    if (q.ownerId) qb.andWhere('c.owner_id = :ownerId', { ownerId: q.ownerId });
    if (q.customerId) qb.andWhere('c.customer_id = :customerId', { customerId: q.customerId });
    if (q.breached === true) qb.andWhere('(c.breached_first_response OR c.breached_resolution)');
    if (q.breached === false) qb.andWhere('NOT (c.breached_first_response OR c.breached_resolution)');
    const cursor = COMPLAINT_KEYS.decode(q.cursor);
    const page = COMPLAINT_KEYS.pageOf(
      await COMPLAINT_KEYS.applyTo(qb, cursor, limit).getRawAndEntities(),
      limit,
    );
    return { items: page.items.map((c) => toComplaintDto(c)), nextCursor: page.nextCursor };
  }

  async addNote(id: string, body: string, actor: AuthUser): Promise<ComplaintDto> {
    return this.db.transaction(async (m) => {
      const c = await this.visible(m, id, actor, true);
      await m.save(m.create(ComplaintNote, { caseId: id, authorId: actor.id, body }));
      await m.query(`UPDATE complaint_case SET updated_at = $2 WHERE id = $1`, [id, this.clock.now()]);
      const notes = await m.find(ComplaintNote, {
        where: { caseId: id },
        order: { createdAt: 'ASC', id: 'ASC' },
      });
      return toComplaintDto(c, notes);
    });
  }

  /**
   * Moves a case along its state machine (managers and admins only). Acknowledging or resolving after the
   * deadline marks the breach. Resolving records the resolution, the apology and goodwill points, which are
   * credited to the customer's loyalty account (contract C4) in the same transaction.
   */
  async transition(
    id: string,
    action: ComplaintAction,
    actor: AuthUser,
    opts: { expectedVersion?: number; resolve?: ResolveComplaintDto; reason?: string } = {},
  ): Promise<ComplaintDto> {
    return this.db.transaction(async (m) => {
      const c = await this.visible(m, id, actor, true);
      if (!actor.isManager) throw new ForbiddenError('Only managers and admins may manage complaints');
      if (opts.expectedVersion !== undefined && opts.expectedVersion !== c.version)
        throw new PreconditionFailedError(c.version);
      const rule = TRANSITIONS[action];
      if (!rule.from.includes(c.state)) {
        throw new ConflictError(
          'invalid_transition',
          `A ${c.state} complaint cannot be ${action === 'reopen' ? 'reopened' : `${action}d`}`,
          { state: c.state, action },
        );
      }
      const now = this.clock.now();
      const from = c.state;
      c.state = rule.to;
      const fields = ['state'];
      if (action === 'acknowledge') {
        c.acknowledgedAt = now;
        if (now > c.firstResponseDueAt) c.breachedFirstResponse = true;
      } else if (action === 'resolve') {
        const r = opts.resolve!;
        c.resolvedAt = now;
        c.resolution = r.resolution;
        fields.push('resolution');
        if (r.apologySent !== undefined) {
          c.apologySent = r.apologySent;
          fields.push('apologySent');
        }
        if (now > c.resolutionDueAt) c.breachedResolution = true;
        if (r.goodwillPoints) {
          // Loyalty credits the points (its listener, same transaction); the case records them either way.
          await this.events.emit(m, 'complaint.goodwill_granted', {
            complaintId: c.id,
            customerId: c.customerId,
            rooftopId: c.rooftopId,
            points: r.goodwillPoints,
            complaintVersion: c.version,
            grantedById: actor.id,
            at: now,
          });
          c.goodwillPoints += r.goodwillPoints;
          fields.push('goodwillPoints');
        }
      } else if (action === 'close') {
        c.closedAt = now;
      } else {
        // A reopened case gets a fresh resolution deadline; earlier breaches stay on record.
        c.resolvedAt = null;
        c.closedAt = null;
        c.resolutionDueAt = new Date(now.getTime() + RESOLUTION_DAYS * 24 * HOUR_MS);
      }
      const saved = await m.save(c);
      const note =
        action === 'reopen'
          ? `Reopened: ${opts.reason ?? ''}`
          : action === 'resolve'
            ? `Resolved: ${opts.resolve!.resolution}`
            : `${from} → ${rule.to}`;
      await m.save(m.create(ComplaintNote, { caseId: id, authorId: actor.id, body: note }));
      await this.audit.record(m, actor, {
        action: `complaint.${action}`,
        entityType: 'complaint_case',
        entityId: id,
        rooftopId: c.rooftopId,
        fields,
      });
      const notes = await m.find(ComplaintNote, {
        where: { caseId: id },
        order: { createdAt: 'ASC', id: 'ASC' },
      });
      return toComplaintDto(saved, notes);
    });
  }

  /** Complaints of a customer for the 360 view, newest first. */
  async forCustomer(customerId: string, limit = 50): Promise<ComplaintDto[]> {
    const rows = await this.db
      .getRepository(ComplaintCase)
      .find({ where: { customerId }, order: { openedAt: 'DESC', id: 'DESC' }, take: limit });
    return rows.map((c) => toComplaintDto(c));
  }

  private async visible(m: EntityManager, id: string, actor: AuthUser, lock = false): Promise<ComplaintCase> {
    const c = await m.findOne(ComplaintCase, {
      where: { id },
      ...(lock ? { lock: { mode: 'pessimistic_write' as const } } : {}),
    });
    if (!c || !actor.canSeeRooftop(c.rooftopId)) throw new NotFoundError('Complaint');
    return c;
  }
}
