import { Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { AuthUser, NamedUser, notFoundIn } from '../auth/auth-user';
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

/** What logging wrote: the (open) visit, its lines (by position) and the vehicle's owner read under its lock. */
export interface LoggedVisit {
  visit: ServiceVisit;
  lines: ServiceVisitLine[];
  vehicleOwnerId: string | null;
}

interface References {
  rooftop_ok: boolean;
  vehicle_rooftop_id: string | null;
  owner_id: string | null;
  advisor: NamedUser | null;
  catalogue: [string, string][];
  ro_taken: boolean;
}

/**
 * Every reference a request makes — rooftop, vehicle (share-locked), advisor, catalogue codes, RO number —
 * checked in one round trip. The vehicle lock sits in a sub-select so that a missing vehicle still answers a row.
 */
const REFERENCES_SQL = `
SELECT EXISTS (SELECT 1 FROM rooftop WHERE id = $1) AS rooftop_ok,
       v.rooftop_id AS vehicle_rooftop_id, v.owner_id,
       (SELECT json_build_object('role', u.role, 'active', u.active,
                                 'rooftopIds', ARRAY(SELECT ur.rooftop_id FROM user_rooftop ur WHERE ur.user_id = u.id))
          FROM app_user u WHERE u.id = $3) AS advisor,
       (SELECT coalesce(json_agg(json_build_array(code, name)), '[]'::json)
          FROM maintenance_item WHERE code = ANY ($4::text[]) AND active) AS catalogue,
       EXISTS (SELECT 1 FROM service_visit WHERE rooftop_id = $1 AND ro_number = $5 AND status <> 'voided') AS ro_taken
  FROM (SELECT 1) AS one
  LEFT JOIN LATERAL (SELECT rooftop_id, owner_id FROM vehicle WHERE id = $2 FOR SHARE) v ON true`;

/** The visit row and its lines in one statement; the lines' arrays are unnested in position order. */
const INSERT_SQL = `
WITH v AS (
  INSERT INTO service_visit (rooftop_id, vehicle_id, customer_id, advisor_id, ro_number, visit_date, odometer, status,
                             customer_pay_amount, warranty_amount, internal_amount, created_by)
  VALUES ($1, $2, $3, $4, $5, $6, $7, 'open', $8, $9, $10, $11)
  RETURNING id, created_at, updated_at),
l AS (
  INSERT INTO service_visit_line (service_visit_id, position, kind, item_code, description, labour_amount,
                                  parts_amount, pay_type, estimate_amount)
  SELECT v.id, t.* FROM v, unnest($12::int[], $13::text[], $14::text[], $15::text[], $16::numeric[], $17::numeric[],
                                  $18::text[], $19::numeric[]) AS t
  RETURNING id, position)
SELECT v.id, v.created_at, v.updated_at,
       (SELECT coalesce(json_agg(json_build_array(l.position, l.id)), '[]'::json) FROM l) AS line_ids
  FROM v`;

/**
 * "Log a service visit" (STYLE: one use case for a many-step operation): checks every reference the
 * request makes — rooftop, vehicle, advisor, catalogue codes, RO number — then writes the visit and its
 * lines, open, in the caller's transaction. Closing — also of a visit logged with `close` — is
 * ServiceVisitsService's one close path.
 */
@Injectable()
export class LogServiceVisit {
  constructor(private readonly clock: Clock) {}

  async execute(m: EntityManager, dto: CreateServiceVisitDto, actor: AuthUser): Promise<LoggedVisit> {
    const visitDate = new Date(dto.visitDate);
    if (visitDate > this.clock.now()) {
      throw new ValidationFailedError([
        { field: 'visitDate', message: 'visitDate must not be in the future' },
      ]);
    }
    const advisorId = dto.advisorId ?? actor.id;
    const declined = dto.declinedLines ?? [];
    const { refs, catalogue } = await this.checkReferences(m, dto, actor, advisorId);

    const totals = payTotals(dto.lines);
    const money = (n: number) => fromCents(toCents(n));
    const rows: Omit<ServiceVisitLine, 'id' | 'serviceVisitId'>[] = [
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
    ].map((r, position) => ({ ...r, position }));
    const [row]: { id: string; created_at: Date; updated_at: Date; line_ids: [number, string][] }[] =
      await m.query(INSERT_SQL, [
        dto.rooftopId,
        dto.vehicleId,
        refs.owner_id,
        advisorId,
        dto.roNumber,
        visitDate,
        dto.odometer,
        totals.customer,
        totals.warranty,
        totals.internal,
        actor.id,
        rows.map((r) => r.position),
        rows.map((r) => r.kind),
        rows.map((r) => r.itemCode),
        rows.map((r) => r.description),
        rows.map((r) => r.labourAmount),
        rows.map((r) => r.partsAmount),
        rows.map((r) => r.payType),
        rows.map((r) => r.estimateAmount),
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
      status: 'open',
      customerPayAmount: totals.customer,
      warrantyAmount: totals.warranty,
      internalAmount: totals.internal,
      closedAt: null,
      voidedAt: null,
      voidReason: null,
      createdBy: actor.id,
      version: 1,
      createdAt: row.created_at,
      updatedAt: row.updated_at,
    });

    const idAt = new Map(row.line_ids);
    const lines = rows.map((r) =>
      Object.assign(new ServiceVisitLine(), { id: idAt.get(r.position)!, serviceVisitId: visit.id, ...r }),
    );
    return { visit, lines, vehicleOwnerId: refs.owner_id };
  }

  /**
   * Every reference the request makes, in one round trip: unseen ids 404, unknown or inactive ones 422, a
   * taken RO number 409. Returns what was read (the vehicle's owner under its lock) and the catalogue names.
   */
  private async checkReferences(
    m: EntityManager,
    dto: CreateServiceVisitDto,
    actor: AuthUser,
    advisorId: string,
  ): Promise<{ refs: References; catalogue: Map<string, string> }> {
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

    // Ids the caller cannot see answer 404 as path ids do; the advisor must also work at the visit's rooftop (422).
    if (!refs.rooftop_ok) throw notFoundIn('rooftopId', 'Rooftop');
    actor.assertRooftopIn(dto.rooftopId, 'rooftopId', 'Rooftop');
    actor.assertRooftopIn(refs.vehicle_rooftop_id, 'vehicleId', 'Vehicle');
    const advisor = refs.advisor ?? undefined;
    actor.assertColleague(advisor, dto.rooftopId, 'advisorId');
    const unknown: FieldError[] = [];
    if (!advisor.active) unknown.push({ field: 'advisorId', message: 'advisorId is not an active user' });
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
    return { refs, catalogue };
  }
}
