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

/**
 * "Log a service visit" (STYLE: one use case for a many-step operation): checks every reference the
 * request makes — rooftop, vehicle, advisor, catalogue codes, RO number — then writes the visit and its
 * lines in the caller's transaction. Closing is a separate step (ServiceVisitsService.closeInTransaction).
 */
@Injectable()
export class LogServiceVisit {
  constructor(private readonly clock: Clock) {}

  async execute(m: EntityManager, dto: CreateServiceVisitDto, actor: AuthUser): Promise<ServiceVisit> {
    const visitDate = new Date(dto.visitDate);
    if (visitDate > this.clock.now()) {
      throw new ValidationFailedError([
        { field: 'visitDate', message: 'visitDate must not be in the future' },
      ]);
    }
    const unknown: FieldError[] = [];

    const rooftop = actor.canSeeRooftop(dto.rooftopId)
      ? await m.query(`SELECT id FROM rooftop WHERE id = $1`, [dto.rooftopId])
      : [];
    if (rooftop.length === 0)
      unknown.push({ field: 'rooftopId', message: 'rooftopId is not a rooftop you can use' });

    const [vehicle]: { rooftop_id: string; owner_id: string | null }[] = await m.query(
      `SELECT rooftop_id, owner_id FROM vehicle WHERE id = $1 FOR SHARE`,
      [dto.vehicleId],
    );
    if (!vehicle || !actor.canSeeRooftop(vehicle.rooftop_id)) {
      unknown.push({ field: 'vehicleId', message: 'vehicleId is not a vehicle you can see' });
    }

    const advisorId = dto.advisorId ?? actor.id;
    const advisor = await m.query(`SELECT 1 FROM app_user WHERE id = $1 AND active`, [advisorId]);
    if (advisor.length === 0)
      unknown.push({ field: 'advisorId', message: 'advisorId is not an active user' });

    const declined = dto.declinedLines ?? [];
    const catalogue = await this.catalogueNames(
      m,
      [...dto.lines, ...declined].map((l) => l.itemCode),
    );
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

    const taken = await m.query(
      `SELECT 1 FROM service_visit WHERE rooftop_id = $1 AND ro_number = $2 AND status <> 'voided'`,
      [dto.rooftopId, dto.roNumber],
    );
    if (taken.length > 0) {
      throw new ConflictError(
        'duplicate_ro_number',
        `RO number ${dto.roNumber} is already logged at this rooftop`,
      );
    }

    const totals = payTotals(dto.lines);
    const visit = await m.save(
      m.create(ServiceVisit, {
        rooftopId: dto.rooftopId,
        vehicleId: dto.vehicleId,
        customerId: vehicle.owner_id,
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
      }),
    );
    const money = (n: number) => fromCents(toCents(n));
    const rows = [
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
    ];
    if (rows.length > 0) {
      await m.insert(
        ServiceVisitLine,
        rows.map((row, position) => ({ ...row, serviceVisitId: visit.id, position })),
      );
    }
    return visit;
  }

  /** Active catalogue items among the given codes, with their names (maintenance_item, contract C2). */
  private async catalogueNames(
    m: EntityManager,
    codes: (string | undefined)[],
  ): Promise<Map<string, string>> {
    const wanted = [...new Set(codes.filter((c): c is string => !!c))];
    if (wanted.length === 0) return new Map();
    const rows: { code: string; name: string }[] = await m.query(
      `SELECT code, name FROM maintenance_item WHERE code = ANY($1) AND active`,
      [wanted],
    );
    return new Map(rows.map((r) => [r.code, r.name]));
  }
}
