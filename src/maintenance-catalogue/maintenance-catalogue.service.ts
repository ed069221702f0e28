import { Injectable } from '@nestjs/common';
import { DataSource, EntityManager } from 'typeorm';
import { AuditService } from '../audit/audit.service';
import { AuthUser } from '../auth/auth-user';
import {
  ConflictError,
  FieldError,
  NotFoundError,
  PreconditionFailedError,
  ValidationFailedError,
} from '../common/problem/domain-error';
import {
  CreateMaintenanceItemDto,
  CreateOverrideDto,
  IntervalsDto,
  UpdateMaintenanceItemDto,
  UpdateOverrideDto,
} from './dto/maintenance-item.dto';
import { MaintenanceItemOverride } from './maintenance-item-override.entity';
import { MaintenanceItem } from './maintenance-item.entity';

export type MaintenanceItemView = MaintenanceItem & { overrides: MaintenanceItemOverride[] };

/**
 * An interval set must be able to fall due: months, or a distance in both units (the odometer unit is a
 * setting, so a distance is always given in km and mi together).
 */
function checkIntervals(i: IntervalsDto): void {
  const errors: FieldError[] = [];
  const km = i.intervalKm ?? null;
  const mi = i.intervalMi ?? null;
  if ((km === null) !== (mi === null)) {
    const missing = km === null ? 'intervalKm' : 'intervalMi';
    errors.push({
      field: missing,
      message: `${missing} is required when the other distance interval is set`,
    });
  }
  if (km === null && mi === null && (i.intervalMonths ?? null) === null) {
    errors.push({
      field: 'intervalMonths',
      message: 'give intervalMonths, or intervalKm and intervalMi, or all three',
    });
  }
  if (errors.length > 0) throw new ValidationFailedError(errors);
}

const isUniqueViolation = (e: unknown) => (e as { code?: string }).code === '23505';

@Injectable()
export class MaintenanceCatalogueService {
  constructor(
    private readonly db: DataSource,
    private readonly audit: AuditService,
  ) {}

  /** The whole catalogue (a few dozen rows) with each item's overrides. */
  async list(manager: EntityManager = this.db.manager): Promise<MaintenanceItemView[]> {
    const items = await manager.find(MaintenanceItem, { order: { code: 'ASC' } });
    const overrides = await manager.find(MaintenanceItemOverride, { order: { make: 'ASC', model: 'ASC' } });
    return items.map((item) => ({ ...item, overrides: overrides.filter((o) => o.itemCode === item.code) }));
  }

  async get(code: string, manager: EntityManager = this.db.manager): Promise<MaintenanceItemView> {
    const item = await manager.findOneBy(MaintenanceItem, { code });
    if (!item) throw new NotFoundError('Maintenance item');
    const overrides = await manager.find(MaintenanceItemOverride, {
      where: { itemCode: code },
      order: { make: 'ASC', model: 'ASC' },
    });
    return { ...item, overrides };
  }

  async create(dto: CreateMaintenanceItemDto, actor: AuthUser): Promise<MaintenanceItemView> {
    checkIntervals(dto);
    return this.db.transaction(async (m) => {
      if (await m.existsBy(MaintenanceItem, { code: dto.code })) {
        throw new ConflictError('maintenance_item_exists', `Maintenance item ${dto.code} already exists`);
      }
      await m.insert(MaintenanceItem, {
        code: dto.code,
        name: dto.name,
        intervalKm: dto.intervalKm ?? null,
        intervalMi: dto.intervalMi ?? null,
        intervalMonths: dto.intervalMonths ?? null,
        appliesTo: dto.appliesTo,
        active: dto.active ?? true,
      });
      await this.audit.record(m, actor, {
        action: 'maintenance_item.created',
        entityType: 'maintenance_item',
        entityId: dto.code,
      });
      return this.get(dto.code, m);
    });
  }

  async update(
    code: string,
    dto: UpdateMaintenanceItemDto,
    expectedVersion: number,
    actor: AuthUser,
  ): Promise<MaintenanceItemView> {
    return this.db.transaction(async (m) => {
      const item = await m.findOne(MaintenanceItem, { where: { code }, lock: { mode: 'pessimistic_write' } });
      if (!item) throw new NotFoundError('Maintenance item');
      if (item.version !== expectedVersion) throw new PreconditionFailedError(item.version);
      Object.assign(item, dto);
      checkIntervals(item);
      await m.save(item);
      await this.audit.record(m, actor, {
        action: 'maintenance_item.updated',
        entityType: 'maintenance_item',
        entityId: code,
        fields: Object.keys(dto),
      });
      return this.get(code, m);
    });
  }

  async createOverride(
    code: string,
    dto: CreateOverrideDto,
    actor: AuthUser,
  ): Promise<MaintenanceItemOverride> {
    checkIntervals(dto);
    return this.db.transaction(async (m) => {
      if (!(await m.existsBy(MaintenanceItem, { code }))) throw new NotFoundError('Maintenance item');
      try {
        const saved = await m.save(
          m.create(MaintenanceItemOverride, {
            itemCode: code,
            make: dto.make.trim(),
            model: dto.model?.trim() ?? null,
            intervalKm: dto.intervalKm ?? null,
            intervalMi: dto.intervalMi ?? null,
            intervalMonths: dto.intervalMonths ?? null,
            active: dto.active ?? true,
          }),
        );
        await this.audit.record(m, actor, {
          action: 'maintenance_item_override.created',
          entityType: 'maintenance_item_override',
          entityId: saved.id,
        });
        return saved;
      } catch (e) {
        if (isUniqueViolation(e))
          throw new ConflictError(
            'override_exists',
            `An override of ${code} for this make and model already exists`,
          );
        throw e;
      }
    });
  }

  async updateOverride(
    code: string,
    id: string,
    dto: UpdateOverrideDto,
    expectedVersion: number,
    actor: AuthUser,
  ): Promise<MaintenanceItemOverride> {
    return this.db.transaction(async (m) => {
      const override = await m.findOne(MaintenanceItemOverride, {
        where: { id, itemCode: code },
        lock: { mode: 'pessimistic_write' },
      });
      if (!override) throw new NotFoundError('Override');
      if (override.version !== expectedVersion) throw new PreconditionFailedError(override.version);
      Object.assign(override, dto);
      checkIntervals(override);
      const saved = await m.save(override);
      await this.audit.record(m, actor, {
        action: 'maintenance_item_override.updated',
        entityType: 'maintenance_item_override',
        entityId: id,
        fields: Object.keys(dto),
      });
      return saved;
    });
  }

  async deleteOverride(code: string, id: string, actor: AuthUser): Promise<void> {
    await this.db.transaction(async (m) => {
      const result = await m.delete(MaintenanceItemOverride, { id, itemCode: code });
      if (!result.affected) throw new NotFoundError('Override');
      await this.audit.record(m, actor, {
        action: 'maintenance_item_override.deleted',
        entityType: 'maintenance_item_override',
        entityId: id,
      });
    });
  }
}
