import { Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { AuthUser } from '../auth/auth-user';
import { Clock } from '../common/clock';
import {
  ConflictError,
  FieldError,
  UnprocessableError,
  ValidationFailedError,
} from '../common/problem/domain-error';
import { CreateServiceVisitDto } from './dto/service-visit.dto';
import { ServiceVisitLine } from './service-visit-line.entity';
import { ServiceVisit } from './service-visit.entity';
import { fromCents, payTotals, toCents } from './visit-totals';

/** What logging wrote: the visit, its lines (by position) and the vehicle's owner read under its lock. */
export interface LoggedVisit {
  visit: ServiceVisit;
  lines: ServiceVisitLine[];
  vehicleOwnerId: string | null;
}

interface References {
  rooftop_ok: boolean;
  vehicle_found: boolean | null;
  vehicle_rooftop_id: string | null;
  owner_id: string | null;
  advisor_ok: boolean;
  catalogue: [string, string][];
  ro_taken: boolean;
}

/**
 * Every reference a request makes — rooftop, vehicle (share-locked), advisor, catalogue codes, RO number —
 * checked in one round trip. The vehicle lock sits in a sub-select so that a missing vehicle still answers a row.
 */
const REFERENCES_SQL = `
SELECT EXISTS (SELECT 1 FROM rooftop WHERE id = $1) AS rooftop_ok,
       v.found AS vehicle_found, v.rooftop_id AS vehicle_rooftop_id, v.owner_id,
       EXISTS (SELECT 1 FROM app_user WHERE id = $3 AND active) AS advisor_ok,
       (SELECT coalesce(json_agg(json_build_array(code, name)), '[]'::json)
          FROM maintenance_item WHERE code = ANY ($4::text[]) AND active) AS catalogue,
       EXISTS (SELECT 1 FROM service_visit WHERE rooftop_id = $1 AND ro_number = $5 AND status <> 'voided') AS ro_taken
  FROM (SELECT 1) AS one
  LEFT JOIN LATERAL (SELECT true AS found, rooftop_id, owner_id FROM vehicle WHERE id = $2 FOR SHARE) v ON true`;

/** The visit row, written once: already closed when the request asks to close (see ServiceVisitsService.create). */
const INSERT_VISIT_SQL = `
INSERT INTO service_visit (rooftop_id, vehicle_id, customer_id, advisor_id, ro_number, visit_date, odometer, status,
                           customer_pay_amount, warranty_amount, internal_amount, closed_at, created_by, version)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14)
RETURNING id, created_at, updated_at`;

/** Every line in one statement (arrays unnested in position order). */
const INSERT_LINES_SQL = `
INSERT INTO service_visit_line (service_visit_id, position, kind, item_code, description, labour_amount,
                                parts_amount, pay_type, estimate_amount)
SELECT $1::uuid, t.* FROM unnest($2::int[], $3::text[], $4::text[], $5::text[], $6::numeric[], $7::numeric[],
                                 $8::text[], $9::numeric[]) AS t
RETURNING id, position`;

/**
 * "Log a service visit" (STYLE: one use case for a many-step operation): checks every reference the
 * request makes — rooftop, vehicle, advisor, catalogue codes, RO number — then writes the visit and its
 * lines in the caller's transaction. With `closedAt` the row is written closed (totals, closed_at, the
 * version an insert plus the close update would have given); the caller then does the rest of closing
 * (ServiceVisitsService). A separate close is ServiceVisitsService.closeInTransaction.
 */
@Injectable()
export class LogServiceVisit {
  constructor(private readonly clock: Clock) {}

  async execute(
    m: EntityManager,
    dto: CreateServiceVisitDto,
    actor: AuthUser,
    closedAt: Date | null = null,
  ): Promise<LoggedVisit> {
    const visitDate = new Date(dto.visitDate);
    if (visitDate > this.clock.now()) {
      throw new ValidationFailedError([
        { field: 'visitDate', message: 'visitDate must not be in the future' },
      ]);
    }
    const advisorId = dto.advisorId ?? actor.id;
    const declined = dto.declinedLines ?? [];
    const codes = [
      ...new Set([...dto.lines, ...declined].map((l) => l.itemCode).filter((c): c is string => !!c)),
    ];
    const [refs]: References[] = await m.query(REFERENCES_SQL, [
      dto.rooftopId,
      dto.vehicleId,
      advisorId,
      codes,
      dto.roNumber,
    ]);

    const unknown: FieldError[] = [];
    if (!actor.canSeeRooftop(dto.rooftopId) || !refs.rooftop_ok)
      unknown.push({ field: 'rooftopId', message: 'rooftopId is not a rooftop you can use' });
    if (!refs.vehicle_found || !actor.canSeeRooftop(refs.vehicle_rooftop_id!)) {
      unknown.push({ field: 'vehicleId', message: 'vehicleId is not a vehicle you can see' });
    }
    if (!refs.advisor_ok) unknown.push({ field: 'advisorId', message: 'advisorId is not an active user' });
    const catalogue = new Map(refs.catalogue);
    dto.lines.forEach((line, i) => {
      if (line.itemCode && !catalogue.has(line.itemCode)) {
        unknown.push({
          field: `lines.${i}.itemCode`,
          message: `${line.itemCode} is not an active catalogue item`,
        });
      }
    });
    declined.forEach((line, i) => {
      if (line.itemCode && !catalogue.has(line.itemCode)) {
        unknown.push({
          field: `declinedLines.${i}.itemCode`,
          message: `${line.itemCode} is not an active catalogue item`,
        });
      }
    });
    if (unknown.length > 0)
      throw new UnprocessableError('unknown_reference', 'The request refers to unknown records', unknown);

    if (refs.ro_taken) {
      throw new ConflictError(
        'duplicate_ro_number',
        `RO number ${dto.roNumber} is already logged at this rooftop`,
      );
    }

    const totals = payTotals(dto.lines);
    const status = closedAt ? 'closed' : 'open';
    const version = closedAt ? 2 : 1;
    const [row]: { id: string; created_at: Date; updated_at: Date }[] = await m.query(INSERT_VISIT_SQL, [
      dto.rooftopId,
      dto.vehicleId,
      refs.owner_id,
      advisorId,
      dto.roNumber,
      visitDate,
      dto.odometer,
      status,
      totals.customer,
      totals.warranty,
      totals.internal,
      closedAt,
      actor.id,
      version,
    ]);
    const visit = Object.assign(new ServiceVisit(), {
      id: row.id,
      rooftopId: dto.rooftopId,
      vehicleId: dto.vehicleId,
      customerId: refs.owner_id,
      advisorId,
      roNumber: dto.roNumber,
      visitDate,
      odometer: dto.odometer,
      status,
      customerPayAmount: totals.customer,
      warrantyAmount: totals.warranty,
      internalAmount: totals.internal,
      closedAt,
      voidedAt: null,
      voidReason: null,
      createdBy: actor.id,
      version,
      createdAt: row.created_at,
      updatedAt: row.updated_at,
    });

    const money = (n: number) => fromCents(toCents(n));
    const rows: Omit<ServiceVisitLine, 'id'>[] = [
      ...dto.lines.map((l) => ({
        kind: 'performed' as const,
        itemCode: l.itemCode ?? null,
        description: l.description ?? catalogue.get(l.itemCode!)!,
        labourAmount: money(l.labourAmount),
        partsAmount: money(l.partsAmount),
        payType: l.payType,
        estimateAmount: null,
      })),
      ...declined.map((l) => ({
        kind: 'declined' as const,
        itemCode: l.itemCode ?? null,
        description: l.description ?? catalogue.get(l.itemCode!)!,
        labourAmount: null,
        partsAmount: null,
        payType: null,
        estimateAmount: money(l.estimateAmount),
      })),
    ].map((r, position) => ({ ...r, serviceVisitId: visit.id, position }));
    let lines: ServiceVisitLine[] = [];
    if (rows.length > 0) {
      const ids: { id: string; position: number }[] = await m.query(INSERT_LINES_SQL, [
        visit.id,
        rows.map((r) => r.position),
        rows.map((r) => r.kind),
        rows.map((r) => r.itemCode),
        rows.map((r) => r.description),
        rows.map((r) => r.labourAmount),
        rows.map((r) => r.partsAmount),
        rows.map((r) => r.payType),
        rows.map((r) => r.estimateAmount),
      ]);
      const idAt = new Map(ids.map((r) => [Number(r.position), r.id]));
      lines = rows.map((r) => Object.assign(new ServiceVisitLine(), { id: idAt.get(r.position)!, ...r }));
    }
    return { visit, lines, vehicleOwnerId: refs.owner_id };
  }
}
