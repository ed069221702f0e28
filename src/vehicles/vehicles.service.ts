import { Injectable } from '@nestjs/common';
import { DateTime } from 'luxon';
import { DataSource, EntityManager, IsNull } from 'typeorm';
import { AuditService } from '../audit/audit.service';
import { AuthUser } from '../auth/auth-user';
import { assertFiltersVisible } from '../auth/filter-ids';
import { Clock } from '../common/clock';
import { DomainEvents } from '../common/domain-events';
import { Keyset, limitOf, Page, PageQueryDto } from '../common/http/pagination';
import {
  ConflictError,
  NotFoundError,
  PreconditionFailedError,
  UnprocessableError,
  ValidationFailedError,
} from '../common/problem/domain-error';
import {
  CreateOdometerReadingDto,
  CreateVehicleDto,
  ListVehiclesQueryDto,
  TransferVehicleDto,
  UpdateVehicleDto,
} from './dto/vehicle.dto';
import { OdometerReading } from './odometer-reading.entity';
import { OdometerService } from './odometer.service';
import { VehicleOwnership } from './vehicle-ownership.entity';
import { Vehicle } from './vehicle.entity';
import { checkVin } from './vin';

export type VehicleView = Vehicle & { warnings: string[] };

/** Oldest first: vehicle_rooftop_created_idx (rooftop_id, created_at, id). */
const VEHICLE_KEYS = new Keyset(
  [
    { sql: 'v.created_at', type: 'timestamptz' },
    { sql: 'v.id', type: 'uuid' },
  ],
  'ASC',
);
/** Newest reading first; readings taken at the same instant in the order they were recorded. */
const READING_KEYS = new Keyset(
  [
    { sql: 'r.read_at', type: 'timestamptz' },
    { sql: 'r.created_at', type: 'timestamptz' },
    { sql: 'r.id', type: 'uuid' },
  ],
  'DESC',
);

@Injectable()
export class VehiclesService {
  constructor(
    private readonly db: DataSource,
    private readonly clock: Clock,
    private readonly events: DomainEvents,
    private readonly audit: AuditService,
    private readonly odometer: OdometerService,
  ) {}

  /** VIN warnings (e.g. a non-North-American check digit) travel with every representation. */
  view(vehicle: Vehicle): VehicleView {
    return { ...vehicle, warnings: checkVin(vehicle.vin).warnings };
  }

  async create(dto: CreateVehicleDto, actor: AuthUser): Promise<VehicleView> {
    const vin = this.validVin(dto.vin);
    return this.db.transaction(async (m) => {
      await actor.assertUsableRooftop(m, dto.rooftopId, 'rooftopId');
      const zone = await this.rooftopZone(m, dto.rooftopId);
      if (dto.sellingRooftopId) await actor.assertUsableRooftop(m, dto.sellingRooftopId, 'sellingRooftopId');
      if (dto.ownerId) await this.assertCustomerVisible(m, dto.ownerId, actor, 'ownerId');
      if (dto.soldById)
        await this.assertSeller(m, dto.soldById, dto.sellingRooftopId ?? dto.rooftopId, actor);
      if (dto.purchaseDate) this.assertNotFutureDate(dto.purchaseDate, zone, 'purchaseDate');
      await this.assertVinFree(m, vin, null);

      const vehicle = await m.save(
        m.create(Vehicle, {
          rooftopId: dto.rooftopId,
          vin,
          make: dto.make,
          model: dto.model,
          year: dto.year,
          powertrain: dto.powertrain,
          ownerId: dto.ownerId ?? null,
          purchaseDate: dto.purchaseDate ?? null,
          purchaseType: dto.purchaseType ?? null,
          purchaseOdometer: dto.purchaseOdometer ?? 0,
          soldById: dto.soldById ?? null,
          sellingRooftopId: dto.sellingRooftopId ?? null,
          termEndDate: dto.termEndDate ?? null,
          warrantyEndDate: dto.warrantyEndDate ?? null,
          warrantyEndDistance: dto.warrantyEndDistance ?? null,
          status: 'active',
        }),
      );

      if (vehicle.ownerId) {
        const startedAt = vehicle.purchaseDate
          ? this.startOfDay(vehicle.purchaseDate, zone)
          : this.clock.now();
        await m.insert(VehicleOwnership, {
          vehicleId: vehicle.id,
          customerId: vehicle.ownerId,
          startedAt,
          endedAt: null,
          reason: vehicle.purchaseDate ? 'purchase' : 'initial owner',
          recordedBy: actor.id,
        });
        if (vehicle.purchaseDate) {
          await this.odometer.record(m, {
            vehicleId: vehicle.id,
            value: vehicle.purchaseOdometer,
            readAt: startedAt,
            source: 'sale',
            actor,
            field: 'purchaseOdometer',
          });
          await this.events.emit(m, 'vehicle.sold', {
            vehicleId: vehicle.id,
            customerId: vehicle.ownerId,
            rooftopId: vehicle.sellingRooftopId ?? vehicle.rooftopId,
            soldById: vehicle.soldById,
            purchaseDate: vehicle.purchaseDate,
            purchaseType: vehicle.purchaseType,
          });
        }
      }
      await this.audit.record(m, actor, {
        action: 'vehicle.created',
        entityType: 'vehicle',
        entityId: vehicle.id,
        rooftopId: vehicle.rooftopId,
        fields: Object.keys(dto),
      });
      return this.view(vehicle);
    });
  }

  async get(id: string, actor: AuthUser): Promise<VehicleView> {
    return this.view(await this.findVisible(this.db.manager, id, actor));
  }

  /** Scoped to the caller's rooftops; ordered by creation (index vehicle_rooftop_created_idx). */
  async list(query: ListVehiclesQueryDto, actor: AuthUser): Promise<Page<VehicleView>> {
    if (query.rooftopId) await actor.assertUsableRooftop(this.db, query.rooftopId, 'rooftopId');
    await assertFiltersVisible(this.db, actor, [{ field: 'ownerId', kind: 'customer', id: query.ownerId }]);
    const limit = limitOf(query);
    const after = VEHICLE_KEYS.decode(query.cursor);
    const qb = this.db.getRepository(Vehicle).createQueryBuilder('v');
    const scope = actor.rooftopScope();
    if (scope) qb.andWhere('v.rooftop_id = ANY(:scope)', { scope });
    if (query.rooftopId) qb.andWhere('v.rooftop_id = :rooftopId', { rooftopId: query.rooftopId });
    if (query.ownerId) qb.andWhere('v.owner_id = :ownerId', { ownerId: query.ownerId });
    if (query.vin) {
      const vin = query.vin.trim().toUpperCase();
      if (vin.length === 17) qb.andWhere('v.vin = :vin', { vin });
      else
        qb.andWhere(`v.vin LIKE :vin ESCAPE '\\'`, { vin: `%${vin.replace(/[\\%_]/g, (c) => `\\${c}`)}%` });
    }
    const page = VEHICLE_KEYS.pageOf(await VEHICLE_KEYS.applyTo(qb, after, limit).getRawAndEntities(), limit);
    return { items: page.items.map((v) => this.view(v)), nextCursor: page.nextCursor };
  }

  async update(
    id: string,
    dto: UpdateVehicleDto,
    expectedVersion: number,
    actor: AuthUser,
  ): Promise<VehicleView> {
    const vin = dto.vin === undefined ? undefined : this.validVin(dto.vin);
    return this.db.transaction(async (m) => {
      const vehicle = await this.findVisible(m, id, actor, true);
      if (vehicle.version !== expectedVersion) throw new PreconditionFailedError(vehicle.version);
      const zone = await this.rooftopZone(m, vehicle.rooftopId);
      if (dto.sellingRooftopId) await actor.assertUsableRooftop(m, dto.sellingRooftopId, 'sellingRooftopId');
      // The seller must belong to the selling rooftop: checked when either of them changes.
      const seller =
        dto.soldById !== undefined ? dto.soldById : dto.sellingRooftopId ? vehicle.soldById : null;
      if (seller) {
        const selling = dto.sellingRooftopId !== undefined ? dto.sellingRooftopId : vehicle.sellingRooftopId;
        await this.assertSeller(m, seller, selling ?? vehicle.rooftopId, actor);
      }
      if (dto.purchaseDate) this.assertNotFutureDate(dto.purchaseDate, zone, 'purchaseDate');
      if (vin !== undefined && vin !== vehicle.vin) await this.assertVinFree(m, vin, vehicle.id);

      Object.assign(vehicle, dto, vin === undefined ? {} : { vin });
      const saved = await m.save(vehicle);
      await this.audit.record(m, actor, {
        action: 'vehicle.updated',
        entityType: 'vehicle',
        entityId: id,
        rooftopId: vehicle.rooftopId,
        fields: Object.keys(dto),
      });
      return this.view(saved);
    });
  }

  /**
   * Ends the current ownership and starts the new owner's (SPEC: a transfer stops the old owner's
   * reminders and starts the new one's — listeners of 'vehicle.ownership_changed' do that).
   */
  async transfer(id: string, dto: TransferVehicleDto, actor: AuthUser): Promise<VehicleView> {
    return this.db.transaction(async (m) => {
      const vehicle = await this.findVisible(m, id, actor, true);
      const zone = await this.rooftopZone(m, vehicle.rooftopId);
      await this.assertCustomerVisible(m, dto.newOwnerId, actor, 'newOwnerId');
      if (dto.sale?.soldById) {
        const selling = vehicle.sellingRooftopId ?? vehicle.rooftopId;
        await this.assertSeller(m, dto.sale.soldById, selling, actor, 'sale.soldById');
      }
      if (dto.sale) this.assertNotFutureDate(dto.sale.purchaseDate, zone, 'sale.purchaseDate');
      if (vehicle.status === 'scrapped') {
        throw new UnprocessableError('vehicle_scrapped', 'A scrapped vehicle cannot change owner');
      }
      if (vehicle.ownerId === dto.newOwnerId) {
        throw new UnprocessableError('same_owner', 'The customer already owns this vehicle', [
          { field: 'newOwnerId', message: 'newOwnerId is already the owner' },
        ]);
      }
      const now = this.clock.now();
      const at = dto.at ? new Date(dto.at) : dto.sale ? this.startOfDay(dto.sale.purchaseDate, zone) : now;
      if (at > now)
        throw new ValidationFailedError([{ field: 'at', message: 'at must not be in the future' }]);

      const current = await m.findOne(VehicleOwnership, { where: { vehicleId: id, endedAt: IsNull() } });
      if (current && at < current.startedAt) {
        throw new UnprocessableError(
          'transfer_before_current_ownership',
          'The transfer predates the current ownership',
          [
            {
              field: 'at',
              message: `at must not be before the current ownership began (${current.startedAt.toISOString()})`,
            },
          ],
        );
      }
      if (current) await m.update(VehicleOwnership, { id: current.id }, { endedAt: at });
      await m.insert(VehicleOwnership, {
        vehicleId: id,
        customerId: dto.newOwnerId,
        startedAt: at,
        endedAt: null,
        reason: dto.reason ?? (dto.sale ? 'purchase' : 'transfer'),
        recordedBy: actor.id,
      });

      const previousOwnerId = vehicle.ownerId;
      vehicle.ownerId = dto.newOwnerId;
      vehicle.status = 'active';
      if (dto.sale) {
        vehicle.purchaseDate = dto.sale.purchaseDate;
        vehicle.purchaseType = dto.sale.purchaseType;
        vehicle.soldById = dto.sale.soldById ?? null;
        vehicle.purchaseOdometer = dto.sale.odometer;
        await this.odometer.record(m, {
          vehicleId: id,
          value: dto.sale.odometer,
          readAt: at,
          source: 'sale',
          actor,
          field: 'sale.odometer',
        });
      }
      const saved = await m.save(vehicle);

      await this.events.emit(m, 'vehicle.ownership_changed', {
        vehicleId: id,
        previousOwnerId,
        newOwnerId: dto.newOwnerId,
        at,
      });
      if (dto.sale) {
        await this.events.emit(m, 'vehicle.sold', {
          vehicleId: id,
          customerId: dto.newOwnerId,
          rooftopId: vehicle.sellingRooftopId ?? vehicle.rooftopId,
          soldById: vehicle.soldById,
          purchaseDate: dto.sale.purchaseDate,
          purchaseType: dto.sale.purchaseType,
        });
      }
      await this.audit.record(m, actor, {
        action: 'vehicle.transferred',
        entityType: 'vehicle',
        entityId: id,
        rooftopId: vehicle.rooftopId,
        fields: [
          'ownerId',
          ...(dto.sale ? ['purchaseDate', 'purchaseType', 'soldById', 'purchaseOdometer'] : []),
        ],
        reason: dto.reason ?? null,
      });
      return this.view(saved);
    });
  }

  async ownerships(id: string, actor: AuthUser): Promise<Page<VehicleOwnership>> {
    await this.findVisible(this.db.manager, id, actor);
    const items = await this.db
      .getRepository(VehicleOwnership)
      .find({ where: { vehicleId: id }, order: { startedAt: 'ASC', id: 'ASC' } });
    return { items, nextCursor: null };
  }

  /** Newest first; readings taken at the same instant in the order they were recorded. */
  async readings(id: string, query: PageQueryDto, actor: AuthUser): Promise<Page<OdometerReading>> {
    await this.findVisible(this.db.manager, id, actor);
    const limit = limitOf(query);
    const after = READING_KEYS.decode(query.cursor);
    const qb = this.db
      .getRepository(OdometerReading)
      .createQueryBuilder('r')
      .where('r.vehicle_id = :id', { id });
    return READING_KEYS.pageOf(await READING_KEYS.applyTo(qb, after, limit).getRawAndEntities(), limit);
  }

  async addReading(id: string, dto: CreateOdometerReadingDto, actor: AuthUser): Promise<OdometerReading> {
    return this.db.transaction(async (m) => {
      const vehicle = await this.findVisible(m, id, actor);
      const reading = await this.odometer.record(m, {
        vehicleId: id,
        value: dto.value,
        readAt: dto.readAt ? new Date(dto.readAt) : this.clock.now(),
        source: dto.source ?? 'staff',
        isCorrection: dto.isCorrection ?? false,
        note: dto.note ?? null,
        actor,
      });
      if (reading.isCorrection) {
        await this.audit.record(m, actor, {
          action: 'odometer.corrected',
          entityType: 'vehicle',
          entityId: id,
          rooftopId: vehicle.rooftopId,
          fields: ['odometer'],
          reason: dto.note ?? null,
        });
      }
      return reading;
    });
  }

  /** Loads a vehicle of a rooftop the caller was granted; others answer 404. */
  async findVisible(m: EntityManager, id: string, actor: AuthUser, lock = false): Promise<Vehicle> {
    const vehicle = await m.findOne(Vehicle, {
      where: { id },
      ...(lock ? { lock: { mode: 'pessimistic_write' as const } } : {}),
    });
    if (!vehicle || !actor.canSeeRooftop(vehicle.rooftopId)) throw new NotFoundError('Vehicle');
    return vehicle;
  }

  private validVin(raw: string): string {
    const { vin, errors } = checkVin(raw);
    if (errors.length > 0)
      throw new ValidationFailedError(errors.map((message) => ({ field: 'vin', message })));
    return vin;
  }

  private async assertVinFree(m: EntityManager, vin: string, exceptId: string | null): Promise<void> {
    const rows = await m.query(
      `SELECT 1 FROM vehicle WHERE vin = $1 AND ($2::uuid IS NULL OR id <> $2::uuid)`,
      [vin, exceptId],
    );
    if (rows.length > 0) throw new ConflictError('duplicate_vin', 'A vehicle with this VIN already exists');
  }

  /** The time zone of a rooftop already checked to exist (the vehicle's, or one assertUsableRooftop passed). */
  private async rooftopZone(m: EntityManager, rooftopId: string): Promise<string> {
    const rows: { time_zone: string }[] = await m.query(`SELECT time_zone FROM rooftop WHERE id = $1`, [
      rooftopId,
    ]);
    return rows[0].time_zone;
  }

  /**
   * The owner must be a customer the caller can see (home rooftop granted: else 404, as for a path id) and not
   * erased (422).
   */
  private async assertCustomerVisible(m: EntityManager, customerId: string, actor: AuthUser, field: string) {
    const rows: { home_rooftop_id: string; erased_at: Date | null }[] = await m.query(
      `SELECT home_rooftop_id, erased_at FROM customer WHERE id = $1`,
      [customerId],
    );
    actor.assertRooftopIn(rows[0]?.home_rooftop_id, field, 'Customer');
    if (rows[0].erased_at) {
      throw new UnprocessableError('unknown_customer', 'Unknown customer', [
        { field, message: `${field} is an erased customer` },
      ]);
    }
  }

  /**
   * The seller (SPEC "sold by"): a user the caller can see (404) granted the selling rooftop (422), so that the
   * sale's follow-ups, tasks and analytics stay with the rooftop that sold. A seller who left stays valid.
   */
  private async assertSeller(
    m: EntityManager,
    userId: string,
    sellingRooftopId: string,
    actor: AuthUser,
    field = 'soldById',
  ) {
    actor.assertColleague(await AuthUser.namedUser(m, userId), sellingRooftopId, field);
  }

  private assertNotFutureDate(date: string, zone: string, field: string) {
    const today = DateTime.fromJSDate(this.clock.now(), { zone }).toISODate()!;
    if (date > today)
      throw new ValidationFailedError([{ field, message: `${field} must not be in the future` }]);
  }

  /** Start of a calendar day in the rooftop's time zone. */
  private startOfDay(date: string, zone: string): Date {
    return DateTime.fromISO(date, { zone }).startOf('day').toJSDate();
  }
}
