import { Injectable } from '@nestjs/common';
import { DataSource, EntityManager } from 'typeorm';
import { AuthUser } from '../auth/auth-user';
import { ConsentsService } from './consents.service';
import { Customer } from './customer.entity';
import { CustomersService } from './customers.service';

export interface Customer360Context {
  customer: Customer;
  actor: AuthUser;
  manager: EntityManager;
  /** Rooftops whose records the actor may see (null = all). */
  scope: string[] | null;
}

/** One section of the 360 view: a few set-based queries for one customer, never a query per row. */
export type Customer360Section = (ctx: Customer360Context) => Promise<unknown>;

const RECENT = 10;

/**
 * The customer 360: the customer and one section per concern. Built-in sections are methods below;
 * other modules add theirs at start (`registerSection('loyalty', …)` in onModuleInit) as they land.
 */
@Injectable()
export class Customer360Service {
  private readonly extraSections = new Map<string, Customer360Section>();

  constructor(
    private readonly db: DataSource,
    private readonly customers: CustomersService,
    private readonly consentsService: ConsentsService,
  ) {}

  registerSection(name: string, section: Customer360Section): void {
    if (name === 'customer' || this.builtIn().has(name) || this.extraSections.has(name))
      throw new Error(`360 section ${name} is already defined`);
    this.extraSections.set(name, section);
  }

  async view(customerId: string, actor: AuthUser): Promise<Record<string, unknown>> {
    const customer = await this.customers.findVisible(this.db.manager, customerId, actor);
    const ctx: Customer360Context = {
      customer,
      actor,
      manager: this.db.manager,
      scope: actor.rooftopScope(),
    };
    const sections = [...this.builtIn(), ...this.extraSections];
    const values = await Promise.all(sections.map(([, section]) => section(ctx)));
    return { customer, ...Object.fromEntries(sections.map(([name], i) => [name, values[i]])) };
  }

  private builtIn(): Map<string, Customer360Section> {
    return new Map<string, Customer360Section>([
      ['consents', (ctx) => this.consents(ctx)],
      ['vehicles', (ctx) => this.vehicles(ctx)],
      ['recentInteractions', (ctx) => this.recentInteractions(ctx)],
      ['recentMessages', (ctx) => this.recentMessages(ctx)],
      ['recentVisits', (ctx) => this.recentVisits(ctx)],
    ]);
  }

  consents({ customer, manager }: Customer360Context) {
    return this.consentsService.currentConsents(customer.id, manager);
  }

  /** Vehicles the customer owns now (vehicle_owner_idx). */
  vehicles({ customer, manager }: Customer360Context) {
    return manager.query(
      `SELECT id, vin, make, model, year, powertrain, status, rooftop_id AS "rooftopId", purchase_date::text AS "purchaseDate",
              purchase_type AS "purchaseType", term_end_date::text AS "termEndDate", warranty_end_date::text AS "warrantyEndDate"
         FROM vehicle WHERE owner_id = $1 ORDER BY created_at, id`,
      [customer.id],
    );
  }

  recentInteractions({ customer, manager }: Customer360Context) {
    return manager.query(
      `SELECT id, kind, direction, summary, occurred_at AS "occurredAt", created_by AS "createdBy"
         FROM interaction WHERE customer_id = $1 ORDER BY occurred_at DESC, id DESC LIMIT ${RECENT}`,
      [customer.id],
    );
  }

  /** Latest outbox messages (outbox_message_customer_idx), limited to rooftops the actor sees. */
  recentMessages({ customer, manager, scope }: Customer360Context) {
    return manager.query(
      `SELECT id, kind, purpose, status, status_reason AS "statusReason", scheduled_at AS "scheduledAt", sent_at AS "sentAt"
         FROM outbox_message WHERE customer_id = $1 AND ($2::uuid[] IS NULL OR rooftop_id = ANY($2::uuid[]))
        ORDER BY created_at DESC, id DESC LIMIT ${RECENT}`,
      [customer.id, scope],
    );
  }

  /** Service visits come with the service-visits module; until its table exists the section is empty. */
  async recentVisits({ customer, manager, scope }: Customer360Context) {
    const [{ exists }]: { exists: boolean }[] = await manager.query(
      `SELECT to_regclass('service_visit') IS NOT NULL AS exists`,
    );
    if (!exists) return [];
    return manager.query(
      `SELECT id, rooftop_id AS "rooftopId", vehicle_id AS "vehicleId", ro_number AS "roNumber", visit_date AS "visitDate", status, odometer,
              customer_pay_amount::float8 AS "customerPayAmount"
         FROM service_visit WHERE customer_id = $1 AND ($2::uuid[] IS NULL OR rooftop_id = ANY($2::uuid[]))
        ORDER BY visit_date DESC, id DESC LIMIT ${RECENT}`,
      [customer.id, scope],
    );
  }
}
