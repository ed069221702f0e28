import { Injectable } from '@nestjs/common';
import { DataSource, EntityManager, In } from 'typeorm';
import { AuditService } from '../audit/audit.service';
import { AuthUser } from '../auth/auth-user';
import { assertFiltersVisible } from '../auth/filter-ids';
import { Clock } from '../common/clock';
import { DomainEvents } from '../common/domain-events';
import { Keyset, limitOf, Page } from '../common/http/pagination';
import { ConflictError, NotFoundError } from '../common/problem/domain-error';
import { OdometerService } from '../vehicles/odometer.service';
import {
  CreateServiceVisitDto,
  ListServiceVisitsQueryDto,
  VoidServiceVisitDto,
} from './dto/service-visit.dto';
import { assertIdempotencyKey, requestHash } from '../common/http/idempotency-key';
import { IdempotencyStore } from './idempotency';
import { LogServiceVisit } from './log-service-visit.use-case';
import { MaintenancePerformed } from './maintenance-performed.entity';
import { ServiceVisitLine } from './service-visit-line.entity';
import { ServiceVisit } from './service-visit.entity';
import { payTotals } from './visit-totals';

export interface ServiceVisitView {
  id: string;
  rooftopId: string;
  vehicleId: string;
  customerId: string | null;
  advisorId: string | null;
  roNumber: string;
  visitDate: Date;
  odometer: number;
  status: ServiceVisit['status'];
  customerPayAmount: number;
  warrantyAmount: number;
  internalAmount: number;
  closedAt: Date | null;
  voidedAt: Date | null;
  voidReason: string | null;
  version: number;
  createdAt: Date;
  updatedAt: Date;
  lines: {
    id: string;
    itemCode: string | null;
    description: string;
    labourAmount: number;
    partsAmount: number;
    payType: string;
  }[];
  declinedLines: { id: string; itemCode: string | null; description: string; estimateAmount: number }[];
}

/** Newest visit first: service_visit_rooftop_date_idx / service_visit_date_idx (visit_date DESC, id DESC). */
const VISIT_KEYS = new Keyset(
  [
    { sql: 's.visit_date', type: 'timestamptz' },
    { sql: 's.id', type: 'uuid' },
  ],
  'DESC',
);

@Injectable()
export class ServiceVisitsService {
  constructor(
    private readonly db: DataSource,
    private readonly clock: Clock,
    private readonly events: DomainEvents,
    private readonly audit: AuditService,
    private readonly odometer: OdometerService,
    private readonly logVisit: LogServiceVisit,
  ) {}

  /**
   * Logs a visit (and closes it when asked, through the one close path) in one transaction. With an
   * Idempotency-Key, the same caller sending the same body again gets the first response back, marked `replayed`.
   */
  async create(
    dto: CreateServiceVisitDto,
    actor: AuthUser,
    idempotencyKey?: string,
  ): Promise<{ visit: ServiceVisitView; replayed: boolean }> {
    if (idempotencyKey !== undefined) assertIdempotencyKey(idempotencyKey);
    return this.db.transaction(async (m) => {
      if (idempotencyKey !== undefined) {
        const claim = await IdempotencyStore.claim(m, actor.id, idempotencyKey, requestHash(dto));
        if (claim.replay) return { visit: claim.response as ServiceVisitView, replayed: true };
      }
      const { visit, lines, vehicleOwnerId } = await this.logVisit.execute(m, dto, actor);
      if (dto.close) await this.closeVisit(m, visit, lines, vehicleOwnerId, actor);
      await this.audit.record(m, actor, {
        action: 'service_visit.created',
        entityType: 'service_visit',
        entityId: visit.id,
        rooftopId: visit.rooftopId,
      });
      const view = this.toView(visit, lines);
      if (idempotencyKey !== undefined) {
        await IdempotencyStore.complete(
          m,
          actor.id,
          idempotencyKey,
          visit.id,
          JSON.parse(JSON.stringify(view)),
        );
      }
      return { visit: view, replayed: false };
    });
  }

  /** Opens (logs, does not close) a visit in the caller's transaction: the check-in of an appointment. */
  async openInTransaction(
    m: EntityManager,
    dto: CreateServiceVisitDto,
    actor: AuthUser,
  ): Promise<ServiceVisitView> {
    const { visit, lines } = await this.logVisit.execute(m, { ...dto, close: false }, actor);
    await this.audit.record(m, actor, {
      action: 'service_visit.created',
      entityType: 'service_visit',
      entityId: visit.id,
      rooftopId: visit.rooftopId,
    });
    return this.toView(visit, lines);
  }

  async close(id: string, actor: AuthUser): Promise<ServiceVisitView> {
    return this.db.transaction(async (m) => {
      const { visit, lines } = await this.closeInTransaction(m, id, actor);
      return this.toView(visit, lines);
    });
  }

  /** Closes a logged visit: checks its state, reads its lines and the vehicle's owner, then the one close path. */
  async closeInTransaction(
    m: EntityManager,
    id: string,
    actor: AuthUser,
  ): Promise<{ visit: ServiceVisit; lines: ServiceVisitLine[] }> {
    const visit = await this.findVisible(m, id, actor, true);
    if (visit.status === 'closed')
      throw new ConflictError('visit_already_closed', 'The visit is already closed');
    if (visit.status === 'voided') throw new ConflictError('visit_voided', 'A voided visit cannot be closed');
    const lines = await m.find(ServiceVisitLine, {
      where: { serviceVisitId: id },
      order: { position: 'ASC' },
    });
    // The owner under the vehicle's lock (as logging reads it), for the event's listeners.
    const [vehicle]: { owner_id: string | null }[] = await m.query(
      `SELECT owner_id FROM vehicle WHERE id = $1 FOR SHARE`,
      [visit.vehicleId],
    );
    await this.closeVisit(m, visit, lines, vehicle?.owner_id ?? null, actor);
    return { visit, lines };
  }

  /**
   * The one close path (SPEC "Service visit"), for an open visit locked or written in this transaction: totals
   * the pay types, marks it closed, records the odometer reading (guard) and the maintenance performed (one row per
   * distinct item code, one statement), then emits 'service_visit.closed' — carrying what the listeners need, so
   * that none re-reads the visit — so that loyalty, reminders and surveys follow in the same transaction (if any
   * listener fails, the close is rolled back entirely), and audits.
   */
  private async closeVisit(
    m: EntityManager,
    visit: ServiceVisit,
    lines: ServiceVisitLine[],
    vehicleOwnerId: string | null,
    actor: AuthUser,
  ): Promise<void> {
    const performed = lines.filter((l) => l.kind === 'performed');
    const totals = payTotals(
      performed.map((l) => ({
        labourAmount: l.labourAmount!,
        partsAmount: l.partsAmount!,
        payType: l.payType!,
      })),
    );
    const closedAt = this.clock.now();
    const [[saved]]: [{ version: number; updated_at: Date }[], number] = await m.query(
      `UPDATE service_visit SET status = 'closed', closed_at = $2, customer_pay_amount = $3, warranty_amount = $4,
              internal_amount = $5, version = version + 1, updated_at = now()
        WHERE id = $1 RETURNING version, updated_at`,
      [visit.id, closedAt, totals.customer, totals.warranty, totals.internal],
    );
    Object.assign(visit, {
      status: 'closed',
      closedAt,
      customerPayAmount: totals.customer,
      warrantyAmount: totals.warranty,
      internalAmount: totals.internal,
      version: saved.version,
      updatedAt: saved.updated_at,
    });

    await this.odometer.record(m, {
      vehicleId: visit.vehicleId,
      value: visit.odometer,
      readAt: visit.visitDate,
      source: 'service_visit',
      actor,
      field: 'odometer',
    });
    const codes = [...new Set(performed.map((l) => l.itemCode).filter((c): c is string => !!c))].sort();
    if (codes.length > 0) {
      await m.query(
        `INSERT INTO maintenance_performed (vehicle_id, item_code, performed_at, odometer, service_visit_id)
         SELECT $1, code, $3, $4, $5 FROM unnest($2::text[]) AS code`,
        [visit.vehicleId, codes, visit.visitDate, visit.odometer, visit.id],
      );
    }

    await this.events.emit(m, 'service_visit.closed', {
      visitId: visit.id,
      vehicleId: visit.vehicleId,
      customerId: visit.customerId,
      rooftopId: visit.rooftopId,
      closedAt,
      visitDate: visit.visitDate,
      advisorId: visit.advisorId,
      customerPayAmount: totals.customer,
      itemCodes: codes,
      vehicleOwnerId,
    });
    await this.audit.record(m, actor, {
      action: 'service_visit.closed',
      entityType: 'service_visit',
      entityId: visit.id,
      rooftopId: visit.rooftopId,
    });
  }

  /**
   * Voids a visit: the maintenance it reset is forgotten and listeners reverse their effects. The
   * odometer reading it recorded stays — the vehicle really showed that distance on that day.
   */
  async void(id: string, dto: VoidServiceVisitDto, actor: AuthUser): Promise<ServiceVisitView> {
    return this.db.transaction(async (m) => {
      const visit = await this.findVisible(m, id, actor, true);
      if (visit.status === 'voided')
        throw new ConflictError('visit_already_voided', 'The visit is already voided');
      await m.delete(MaintenancePerformed, { serviceVisitId: id });
      visit.status = 'voided';
      visit.voidedAt = this.clock.now();
      visit.voidReason = dto.reason;
      const saved = await m.save(visit);
      await this.events.emit(m, 'service_visit.voided', {
        visitId: visit.id,
        vehicleId: visit.vehicleId,
        customerId: visit.customerId,
        rooftopId: visit.rooftopId,
        voidedAt: visit.voidedAt,
      });
      await this.audit.record(m, actor, {
        action: 'service_visit.voided',
        entityType: 'service_visit',
        entityId: visit.id,
        rooftopId: visit.rooftopId,
        fields: ['status'],
        reason: dto.reason,
      });
      return this.view(m, saved);
    });
  }

  async get(id: string, actor: AuthUser): Promise<ServiceVisitView> {
    return this.view(this.db.manager, await this.findVisible(this.db.manager, id, actor));
  }

  /** Newest visit first, scoped to the caller's rooftops (index service_visit_rooftop_date_idx). */
  async list(query: ListServiceVisitsQueryDto, actor: AuthUser): Promise<Page<ServiceVisitView>> {
    if (query.rooftopId) await actor.assertUsableRooftop(this.db, query.rooftopId, 'rooftopId');
    await assertFiltersVisible(this.db, actor, [
      { field: 'vehicleId', kind: 'vehicle', id: query.vehicleId },
      { field: 'customerId', kind: 'customer', id: query.customerId },
    ]);
    const limit = limitOf(query);
    const after = VISIT_KEYS.decode(query.cursor);
    const qb = this.db.getRepository(ServiceVisit).createQueryBuilder('s');
    const scope = actor.rooftopScope();
    if (scope) qb.andWhere('s.rooftop_id = ANY(:scope)', { scope });
    if (query.rooftopId) qb.andWhere('s.rooftop_id = :rooftopId', { rooftopId: query.rooftopId });
    if (query.vehicleId) qb.andWhere('s.vehicle_id = :vehicleId', { vehicleId: query.vehicleId });
    if (query.customerId) qb.andWhere('s.customer_id = :customerId', { customerId: query.customerId });
    if (query.status) qb.andWhere('s.status = :status', { status: query.status });
    if (query.from) qb.andWhere('s.visit_date >= :from', { from: new Date(query.from) });
    if (query.to) qb.andWhere('s.visit_date < :to', { to: new Date(query.to) });
    const page = VISIT_KEYS.pageOf(await VISIT_KEYS.applyTo(qb, after, limit).getRawAndEntities(), limit);
    const lines = page.items.length
      ? await this.db.getRepository(ServiceVisitLine).find({
          where: { serviceVisitId: In(page.items.map((v) => v.id)) },
          order: { position: 'ASC' },
        })
      : [];
    return {
      items: page.items.map((v) =>
        this.toView(
          v,
          lines.filter((l) => l.serviceVisitId === v.id),
        ),
      ),
      nextCursor: page.nextCursor,
    };
  }

  /** A visit of a rooftop the caller was granted; others answer 404. */
  private async findVisible(
    m: EntityManager,
    id: string,
    actor: AuthUser,
    lock = false,
  ): Promise<ServiceVisit> {
    const visit = await m.findOne(ServiceVisit, {
      where: { id },
      ...(lock ? { lock: { mode: 'pessimistic_write' as const } } : {}),
    });
    if (!visit || !actor.canSeeRooftop(visit.rooftopId)) throw new NotFoundError('Service visit');
    return visit;
  }

  private async view(m: EntityManager, visit: ServiceVisit): Promise<ServiceVisitView> {
    const lines = await m.find(ServiceVisitLine, {
      where: { serviceVisitId: visit.id },
      order: { position: 'ASC' },
    });
    return this.toView(visit, lines);
  }

  private toView(visit: ServiceVisit, lines: ServiceVisitLine[]): ServiceVisitView {
    const { createdBy: _createdBy, ...rest } = visit;
    return {
      ...rest,
      customerPayAmount: Number(visit.customerPayAmount),
      warrantyAmount: Number(visit.warrantyAmount),
      internalAmount: Number(visit.internalAmount),
      lines: lines
        .filter((l) => l.kind === 'performed')
        .map((l) => ({
          id: l.id,
          itemCode: l.itemCode,
          description: l.description,
          labourAmount: Number(l.labourAmount),
          partsAmount: Number(l.partsAmount),
          payType: l.payType!,
        })),
      declinedLines: lines
        .filter((l) => l.kind === 'declined')
        .map((l) => ({
          id: l.id,
          itemCode: l.itemCode,
          description: l.description,
          estimateAmount: Number(l.estimateAmount),
        })),
    };
  }
}
