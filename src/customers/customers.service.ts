import { HttpStatus, Injectable, Logger } from '@nestjs/common';
import { DataSource, EntityManager, QueryFailedError } from 'typeorm';
import { AuditService } from '../audit/audit.service';
import { AuthUser } from '../auth/auth-user';
import { assertFiltersVisible } from '../auth/filter-ids';
import { CHANNELS } from '../common/channels';
import { Clock } from '../common/clock';
import { DomainEvents } from '../common/domain-events';
import { limitOf, Page } from '../common/http/pagination';
import {
  ConflictError,
  DomainError,
  FieldError,
  NotFoundError,
  PreconditionFailedError,
  UnprocessableError,
  ValidationFailedError,
} from '../common/problem/domain-error';
import { AppConfig } from '../config/app-config';
import { PURPOSES } from './consent-rules';
import { ConsentsService } from './consents.service';
import { Customer } from './customer.entity';
import { CUSTOMER_KEYS, CustomerSearchRepository } from './customer-search.repository';
import { eraseFreeText } from './customer-erasure';
import { isFutureDate, normaliseEmail, normalisePhone } from './customer-rules';
import { CreateCustomerDto, ListCustomersQueryDto, UpdateCustomerDto } from './dto/customer.dto';

/** API field → column, for the fields a PATCH may change. */
const COLUMNS: Record<keyof UpdateCustomerDto, string> = {
  externalId: 'external_id',
  firstName: 'first_name',
  lastName: 'last_name',
  email: 'email',
  phone: 'phone',
  address: 'address',
  birthday: 'birthday',
  language: 'language',
  homeRooftopId: 'home_rooftop_id',
  assignedSalespersonId: 'assigned_salesperson_id',
  preferredChannel: 'preferred_channel',
};

const ERASED_FIELDS = ['firstName', 'lastName', 'email', 'phone', 'address', 'birthday', 'externalId'];

@Injectable()
export class CustomersService {
  private readonly logger = new Logger(CustomersService.name);

  constructor(
    private readonly db: DataSource,
    private readonly clock: Clock,
    private readonly config: AppConfig,
    private readonly audit: AuditService,
    private readonly events: DomainEvents,
    private readonly consents: ConsentsService,
    private readonly search: CustomerSearchRepository,
  ) {}

  async create(dto: CreateCustomerDto, actor: AuthUser): Promise<Customer> {
    const fields = this.normalise(dto);
    return this.db.transaction(async (m) => {
      await this.assertRooftopGranted(m, dto.homeRooftopId, actor);
      if (dto.assignedSalespersonId)
        await this.assertSalesperson(m, dto.assignedSalespersonId, dto.homeRooftopId, actor);
      if (fields.externalId) await this.assertExternalIdFree(m, fields.externalId, null);
      const now = this.clock.now();
      const customer = m.create(Customer, {
        homeRooftopId: dto.homeRooftopId,
        externalId: fields.externalId ?? null,
        firstName: fields.firstName,
        lastName: fields.lastName ?? '',
        email: fields.email ?? null,
        phone: fields.phone ?? null,
        address: fields.address ?? null,
        birthday: fields.birthday ?? null,
        language: fields.language ?? this.config.DEFAULT_LANGUAGE,
        assignedSalespersonId: dto.assignedSalespersonId ?? null,
        preferredChannel: dto.preferredChannel ?? null,
        emailBouncing: false,
        erasedAt: null,
        createdAt: now,
        updatedAt: now,
      });
      await this.uniqueExternalId(() => m.save(customer));
      await this.audit.record(m, actor, {
        action: 'customer.created',
        entityType: 'customer',
        entityId: customer.id,
        rooftopId: customer.homeRooftopId,
        fields: Object.keys(dto).filter((k) => dto[k as keyof CreateCustomerDto] !== undefined),
      });
      this.logger.log({ msg: 'customer created', customerId: customer.id });
      return customer;
    });
  }

  get(id: string, actor: AuthUser): Promise<Customer> {
    return this.findVisible(this.db.manager, id, actor);
  }

  /** The customer if it exists and its home rooftop is granted to the actor; otherwise 404. */
  async findVisible(manager: EntityManager, id: string, actor: AuthUser, lock = false): Promise<Customer> {
    const customer = await manager.findOne(Customer, {
      where: { id },
      ...(lock ? { lock: { mode: 'pessimistic_write' as const } } : {}),
    });
    if (!customer || !actor.canSeeRooftop(customer.homeRooftopId)) throw new NotFoundError('Customer');
    return customer;
  }

  /** As findVisible, but refuses erased customers (409): they stay readable, never writable. */
  async findWritable(manager: EntityManager, id: string, actor: AuthUser, lock = false): Promise<Customer> {
    const customer = await this.findVisible(manager, id, actor, lock);
    if (customer.erasedAt)
      throw new ConflictError(
        'customer_erased',
        'This customer was erased; the record is kept anonymised and cannot change',
      );
    return customer;
  }

  /** Search and list, scoped to the caller's rooftops (CustomerSearchRepository.page). */
  async list(query: ListCustomersQueryDto, actor: AuthUser): Promise<Page<Customer>> {
    const limit = limitOf(query);
    const after = CUSTOMER_KEYS.decode(query.cursor);
    if (query.rooftopId) await actor.assertUsableRooftop(this.db, query.rooftopId, 'rooftopId');
    await assertFiltersVisible(this.db, actor, [
      { field: 'salespersonId', kind: 'user', id: query.salespersonId },
    ]);
    const { rooftopId, salespersonId, q } = query;
    return this.search.page({ scope: actor.rooftopScope(), rooftopId, salespersonId, q, after }, limit);
  }

  /**
   * Optimistic update: `UPDATE … WHERE id AND version = expected`. Of two concurrent updates from the
   * same version exactly one matches; the other sees 0 rows and answers 412.
   */
  async update(
    id: string,
    expectedVersion: number,
    dto: UpdateCustomerDto,
    actor: AuthUser,
  ): Promise<Customer> {
    const fields = this.normalise(dto);
    return this.db.transaction(async (m) => {
      const current = await this.findWritable(m, id, actor);
      if (current.version !== expectedVersion) throw new PreconditionFailedError(current.version);
      if (dto.homeRooftopId !== undefined) await this.assertRooftopGranted(m, dto.homeRooftopId, actor);
      // The salesperson must belong to the home rooftop: checked when either of them changes.
      const salesperson =
        dto.assignedSalespersonId !== undefined
          ? dto.assignedSalespersonId
          : dto.homeRooftopId !== undefined
            ? current.assignedSalespersonId
            : null;
      if (salesperson) {
        const rooftopId = dto.homeRooftopId ?? current.homeRooftopId;
        const newlyAssigned = dto.assignedSalespersonId !== undefined;
        await this.assertSalesperson(m, salesperson, rooftopId, actor, newlyAssigned);
      }
      if (fields.externalId) await this.assertExternalIdFree(m, fields.externalId, id);

      const changed = (Object.keys(COLUMNS) as (keyof UpdateCustomerDto)[]).filter(
        (k) => fields[k] !== undefined,
      );
      if (changed.length === 0) return current;
      const params: unknown[] = [id, expectedVersion, this.clock.now()];
      const sets = changed.map((k) => {
        params.push(k === 'lastName' ? (fields[k] ?? '') : fields[k]);
        return `${COLUMNS[k]} = $${params.length}`;
      });
      // A new phone number is a new contact point: an undeliverable mark on the old one no longer holds.
      if (fields.phone !== undefined && fields.phone !== current.phone)
        sets.push('phone_undeliverable_at = NULL');
      const result: [unknown[], number] = await this.uniqueExternalId(() =>
        m.query(
          `UPDATE customer SET ${sets.join(', ')}, version = version + 1, updated_at = $3
            WHERE id = $1 AND version = $2 AND erased_at IS NULL`,
          params,
        ),
      );
      if (result[1] !== 1) {
        const now = await this.findVisible(m, id, actor);
        if (now.erasedAt)
          throw new ConflictError(
            'customer_erased',
            'This customer was erased; the record is kept anonymised and cannot change',
          );
        throw new PreconditionFailedError(now.version);
      }
      const updated = await this.findVisible(m, id, actor);
      await this.audit.record(m, actor, {
        action: 'customer.updated',
        entityType: 'customer',
        entityId: id,
        rooftopId: updated.homeRooftopId,
        fields: changed,
      });
      return updated;
    });
  }

  /**
   * Erasure (right to be forgotten): personal data is anonymised, ids and history stay for statistics.
   * Every purpose is withdrawn, every pending message cancelled and every free text they wrote or that
   * names them blanked (here and by the listeners of `customer.erased`), in the same transaction.
   * `customer.erased` goes out before the withdrawals: messaging cancels every pending message as
   * `customer_erased` first, so the withdrawals' `consent.changed` finds none to suppress (one act, one state).
   */
  async erase(id: string, actor: AuthUser): Promise<Customer> {
    return this.db.transaction(async (m) => {
      const customer = await this.findVisible(m, id, actor, true);
      if (customer.erasedAt) throw new ConflictError('customer_erased', 'This customer was already erased');
      const now = this.clock.now();
      // Remember the DMS number only as a hash: a later import of an old export must not bring the person back.
      await m.query(
        `INSERT INTO erased_external_id (external_id_hash, erased_at)
         SELECT encode(sha256(convert_to(external_id, 'UTF8')), 'hex'), $2 FROM customer WHERE id = $1 AND external_id IS NOT NULL
         ON CONFLICT DO NOTHING`,
        [id, now],
      );
      await m.query(
        `UPDATE customer SET first_name = 'Erased', last_name = '', email = NULL, phone = NULL, address = NULL, birthday = NULL,
                external_id = NULL, email_bouncing = false, preferred_channel = NULL,
                telegram_chat_id = NULL, telegram_linked_at = NULL, telegram_blocked_at = NULL,
                phone_undeliverable_at = NULL, erased_at = $2, version = version + 1, updated_at = $2
          WHERE id = $1`,
        [id, now],
      );
      await this.events.emit(m, 'customer.erased', { customerId: id, at: now });
      for (const channel of CHANNELS)
        for (const purpose of PURPOSES) {
          await this.consents.record(m, {
            customerId: id,
            purpose,
            channel,
            granted: false,
            source: 'erasure',
            actor,
          });
        }
      // The timeline's notes carry names and addresses: keep the rows, drop the text (the other modules' on the event).
      await eraseFreeText(m, id);
      await this.audit.record(m, actor, {
        action: 'customer.erased',
        entityType: 'customer',
        entityId: id,
        rooftopId: customer.homeRooftopId,
        fields: ERASED_FIELDS,
      });
      this.logger.log({ msg: 'customer erased', customerId: id });
      return this.findVisible(m, id, actor);
    });
  }

  /** Phone to E.164, email lower-case; a birthday after today is refused. */
  private normalise<T extends { phone?: string | null; email?: string | null; birthday?: string | null }>(
    dto: T,
  ): T {
    const errors: FieldError[] = [];
    const out = { ...dto };
    if (typeof dto.phone === 'string') {
      const phone = normalisePhone(dto.phone);
      if (!phone) errors.push({ field: 'phone', message: 'phone must be a valid phone number' });
      out.phone = phone;
    }
    if (typeof dto.email === 'string') out.email = normaliseEmail(dto.email);
    if (typeof dto.birthday === 'string' && isFutureDate(dto.birthday, this.clock.now())) {
      errors.push({ field: 'birthday', message: 'birthday cannot be in the future' });
    }
    if (errors.length) throw new ValidationFailedError(errors);
    return out;
  }

  /** A rooftop the actor was not granted (or that does not exist) answers 404, naming the field. */
  private async assertRooftopGranted(m: EntityManager, rooftopId: string, actor: AuthUser): Promise<void> {
    const exists =
      actor.canSeeRooftop(rooftopId) &&
      (await m.query(`SELECT 1 FROM rooftop WHERE id = $1`, [rooftopId])).length > 0;
    if (!exists) {
      throw new DomainError(HttpStatus.NOT_FOUND, 'not_found', 'Rooftop not found', [
        { field: 'homeRooftopId', message: 'no such rooftop among yours' },
      ]);
    }
  }

  /**
   * The assigned salesperson: a user the caller can see (else 404, as for a path id), granted the customer's home
   * rooftop (else 422), and active when newly assigned (422).
   */
  private async assertSalesperson(
    m: EntityManager,
    userId: string,
    homeRooftopId: string,
    actor: AuthUser,
    newlyAssigned = true,
  ): Promise<void> {
    const user = await AuthUser.namedUser(m, userId);
    actor.assertColleague(user, homeRooftopId, 'assignedSalespersonId');
    if (newlyAssigned && !user.active) {
      throw new UnprocessableError('invalid_salesperson', 'assignedSalespersonId must be an active user', [
        { field: 'assignedSalespersonId', message: 'must be an active user' },
      ]);
    }
  }

  private async assertExternalIdFree(
    m: EntityManager,
    externalId: string,
    exceptId: string | null,
  ): Promise<void> {
    const rows: { id: string }[] = await m.query(`SELECT id FROM customer WHERE external_id = $1`, [
      externalId,
    ]);
    if (rows.length && rows[0].id !== exceptId) throw externalIdTaken();
  }

  /** The pre-check can race with another insert; the unique index has the last word. */
  private async uniqueExternalId<T>(write: () => Promise<T>): Promise<T> {
    try {
      return await write();
    } catch (e) {
      const constraint = (e as QueryFailedError & { driverError?: { constraint?: string } }).driverError
        ?.constraint;
      if (e instanceof QueryFailedError && constraint === 'customer_external_id_uq') throw externalIdTaken();
      throw e;
    }
  }
}

function externalIdTaken() {
  return new ConflictError('external_id_taken', 'Another customer already has this externalId', {
    errors: [{ field: 'externalId', message: 'already used by another customer' }],
  });
}
