import { HttpStatus, Injectable, Logger } from '@nestjs/common';
import { DataSource, EntityManager, QueryFailedError } from 'typeorm';
import { AuditService } from '../audit/audit.service';
import { AuthUser } from '../auth/auth-user';
import { assertFiltersVisible } from '../auth/filter-ids';
import { Clock } from '../common/clock';
import { DomainEvents } from '../common/domain-events';
import { Keyset, limitOf, Page } from '../common/http/pagination';
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
import { eraseFreeText } from './customer-erasure';
import {
  couldMatchVin,
  isFutureDate,
  normaliseEmail,
  normalisePhone,
  searchPatterns,
} from './customer-rules';
import { jsonEntity } from './json-rows';
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
};

/** Rows of customer_created_idx the ordered search walks before it leaves a rare term to the trigram indexes. */
const SEARCH_WINDOW = 10_000;

/** Oldest first: customer_created_idx (created_at, id), customer_rooftop_created_idx within a rooftop. */
const CUSTOMER_KEYS = new Keyset(
  [
    { sql: 'c.created_at', type: 'timestamptz' },
    { sql: 'c.id', type: 'uuid' },
  ],
  'ASC',
);

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

  /**
   * Search and list in a stable (created_at, id) order. A search matches name, email, phone (digit-like
   * terms) and VINs of owned vehicles (terms that could be part of a VIN). Common terms are found by a
   * bounded walk in cursor order (orderedSearch); rare ones by the trigram indexes of the foundation
   * migration (matchSetSearch). Both give the same page.
   */
  async list(query: ListCustomersQueryDto, actor: AuthUser): Promise<Page<Customer>> {
    const limit = limitOf(query);
    const after = CUSTOMER_KEYS.decode(query.cursor);
    if (query.rooftopId) await actor.assertUsableRooftop(this.db, query.rooftopId, 'rooftopId');
    await assertFiltersVisible(this.db, actor, [
      { field: 'salespersonId', kind: 'user', id: query.salespersonId },
    ]);
    const params: Record<string, unknown> = {};
    const p = (value: unknown) => {
      const name = `p${Object.keys(params).length}`;
      params[name] = value;
      return `:${name}`;
    };
    const where: string[] = [];
    const scope = actor.rooftopScope();
    if (scope) where.push(`c.home_rooftop_id = ANY(${p(scope)}::uuid[])`);
    if (query.rooftopId) where.push(`c.home_rooftop_id = ${p(query.rooftopId)}`);
    if (query.salespersonId) where.push(`c.assigned_salesperson_id = ${p(query.salespersonId)}`);
    if (after) where.push(CUSTOMER_KEYS.after(after, p));
    if (query.q !== undefined && query.q.trim() !== '') {
      const { text, phone } = searchPatterns(query.q);
      const t = p(text);
      // The pattern is already lower case and the columns are lowered, so LIKE gives what ILIKE gave (ILIKE is
      // lower() of both sides, then LIKE) without lowering every row a second time; a phone pattern holds only
      // digits and %, which have no case. The trigram indexes serve LIKE as they serve ILIKE.
      const own = `lower(c.first_name || ' ' || c.last_name) LIKE ${t} OR lower(c.email) LIKE ${t}${phone ? ` OR c.phone LIKE ${p(phone)}` : ''}`;
      // VINs hold only [A-HJ-NPR-Z0-9]: a term with any other character cannot match one.
      const vin = couldMatchVin(query.q);
      const match = `(${own}${
        vin
          ? ` OR EXISTS (SELECT 1 FROM vehicle v WHERE v.owner_id = c.id AND v.vin ILIKE ${t} OFFSET 0)`
          : ''
      })`;
      const fast = await this.orderedSearch(where, match, params, limit);
      if (fast) return fast;
      return this.matchSetSearch(where, own, vin ? t : null, params, limit);
    }
    const qb = this.db.getRepository(Customer).createQueryBuilder('c');
    if (where.length) qb.where(where.join(' AND '), params);
    // The cursor's predicate is in `where` already (the searches share it).
    return CUSTOMER_KEYS.pageOf(await CUSTOMER_KEYS.applyTo(qb, undefined, limit).getRawAndEntities(), limit);
  }

  /**
   * Common terms: the matches among the next SEARCH_WINDOW rows in cursor order (the window ends at its last
   * row, `edge`). A common term walks customer_created_idx and stops at the (limit + 1)-th match; for a term
   * the statistics call rare, the planner may take the window's matches from the trigram indexes instead —
   * the same rows either way, and at most a window's walk. The page is exact when it filled up (limit + 1
   * matches, the first ones in cursor order) or when the window reached the end of the rows (no edge);
   * otherwise (a rare term) null, and the trigram union answers.
   */
  private async orderedSearch(
    where: string[],
    match: string,
    params: Record<string, unknown>,
    limit: number,
  ): Promise<Page<Customer> | null> {
    const customer = jsonEntity(this.db, Customer);
    const scope = where.map((w) => ` AND ${w}`).join('');
    // Without an edge (fewer rows than a window) the bound is past every row.
    const [sql, values] = this.db.driver.escapeQueryWithParameters(
      `WITH edge AS MATERIALIZED (
         SELECT c.created_at, c.id FROM customer c WHERE true${scope}
          ORDER BY ${CUSTOMER_KEYS.orderBy} OFFSET ${SEARCH_WINDOW - 1} LIMIT 1)
       SELECT h.*, (SELECT count(*)::int FROM edge) AS cut FROM (SELECT 1) one
       LEFT JOIN LATERAL (
         SELECT ${customer.json('c')} AS j, ${CUSTOMER_KEYS.select} FROM customer c
          WHERE ${match}${scope}
            AND (c.created_at, c.id) <= (
              SELECT coalesce(e.created_at, 'infinity'), coalesce(e.id, 'ffffffff-ffff-ffff-ffff-ffffffffffff')
                FROM (SELECT 1) one LEFT JOIN edge e ON true)
          ORDER BY ${CUSTOMER_KEYS.orderBy} LIMIT ${limit + 1}) h ON true`,
      params,
    );
    const rows: { j: Record<string, unknown> | null; cut: number }[] = await this.db.query(sql, values);
    const hits = rows.filter((r) => r.j !== null);
    if (hits.length <= limit && rows[0].cut > 0) return null;
    return CUSTOMER_KEYS.pageOf({ entities: hits.map((r) => customer.hydrate(r.j!)), raw: hits }, limit);
  }

  /**
   * Rare terms: every match from the trigram indexes (name, email, phone; VIN owners when the term could be
   * part of a VIN), materialised so that the planner cannot turn it back into a filtered walk of
   * customer_created_idx, then the first limit + 1 in cursor order.
   */
  private async matchSetSearch(
    where: string[],
    own: string,
    vin: string | null,
    params: Record<string, unknown>,
    limit: number,
  ): Promise<Page<Customer>> {
    const customer = jsonEntity(this.db, Customer);
    const base = where.map((w) => ` AND ${w}`).join('');
    const [sql, values] = this.db.driver.escapeQueryWithParameters(
      `WITH m AS MATERIALIZED (
         SELECT c.id, c.created_at FROM customer c WHERE (${own})${base}${
           vin
             ? `
         UNION SELECT c.id, c.created_at FROM vehicle v JOIN customer c ON c.id = v.owner_id WHERE v.vin ILIKE ${vin}${base}`
             : ''
         }),
       top AS MATERIALIZED (SELECT id FROM m ORDER BY created_at, id LIMIT ${limit + 1})
       SELECT ${customer.json('c')} AS j, ${CUSTOMER_KEYS.select}
         FROM customer c WHERE c.id IN (SELECT id FROM top) ORDER BY ${CUSTOMER_KEYS.orderBy}`,
      params,
    );
    const rows: { j: Record<string, unknown> }[] = await this.db.query(sql, values);
    return CUSTOMER_KEYS.pageOf({ entities: rows.map((r) => customer.hydrate(r.j)), raw: rows }, limit);
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
                external_id = NULL, email_bouncing = false, erased_at = $2, version = version + 1, updated_at = $2
          WHERE id = $1`,
        [id, now],
      );
      await this.events.emit(m, 'customer.erased', { customerId: id, at: now });
      for (const purpose of PURPOSES) {
        await this.consents.record(m, { customerId: id, purpose, granted: false, source: 'erasure', actor });
      }
      // Notes, tasks, visits and vehicles carry names and addresses: keep the rows, drop the text.
      await eraseFreeText(m, id, now);
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
