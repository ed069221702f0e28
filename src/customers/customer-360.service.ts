import { Injectable } from '@nestjs/common';
import { DataSource, EntityManager } from 'typeorm';
import { AuthUser } from '../auth/auth-user';
import { NotFoundError } from '../common/problem/domain-error';
import { toCurrentConsents, type Purpose } from './consent-rules';
import { Customer } from './customer.entity';
import { jsonEntity, jsonList } from './json-rows';

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
const BUILT_IN = ['consents', 'vehicles', 'recentInteractions', 'recentMessages', 'recentVisits'] as const;
type Rows = Record<string, unknown>[];
interface ViewRow {
  customer: Record<string, unknown>;
  consents: { purpose: Purpose; granted: boolean; at: string; source: string }[];
  vehicles: Rows;
  recentInteractions: Rows;
  recentMessages: Rows;
  recentVisits: Rows;
}

/**
 * The customer 360: the customer and one section per concern. Built-in sections are methods below;
 * other modules add theirs at start (`registerSection('loyalty', …)` in onModuleInit) as they land.
 */
@Injectable()
export class Customer360Service {
  private readonly extraSections = new Map<string, Customer360Section>();
  private customerJsonCache?: ReturnType<typeof jsonEntity<Customer>>;
  private viewSqlCache?: string;

  constructor(private readonly db: DataSource) {}

  registerSection(name: string, section: Customer360Section): void {
    if (name === 'customer' || (BUILT_IN as readonly string[]).includes(name) || this.extraSections.has(name))
      throw new Error(`360 section ${name} is already defined`);
    this.extraSections.set(name, section);
  }

  /**
   * One round trip for the customer and the built-in sections (a JSON-building statement), then the
   * sections other modules registered, in parallel.
   */
  async view(customerId: string, actor: AuthUser): Promise<Record<string, unknown>> {
    const scope = actor.rooftopScope();
    const [row]: ViewRow[] = await this.db.query(this.viewSql(), [customerId, scope]);
    const customer = row && this.customerJson.hydrate(row.customer);
    if (!customer || !actor.canSeeRooftop(customer.homeRooftopId)) throw new NotFoundError('Customer');
    const ctx: Customer360Context = { customer, actor, manager: this.db.manager, scope };
    const extra = [...this.extraSections];
    const values = await Promise.all(extra.map(([, section]) => section(ctx)));
    return {
      customer,
      consents: toCurrentConsents(
        row.consents.map((c) => ({
          ...c,
          at: new Date(c.at),
        })),
      ),
      vehicles: row.vehicles,
      recentInteractions: withDates(row.recentInteractions, ['occurredAt']),
      recentMessages: withDates(row.recentMessages, ['scheduledAt', 'sentAt']),
      recentVisits: withDates(row.recentVisits, ['visitDate']),
      ...Object.fromEntries(extra.map(([name], i) => [name, values[i]])),
    };
  }

  private get customerJson() {
    return (this.customerJsonCache ??= jsonEntity(this.db, Customer));
  }

  /** $1 customer id, $2 the actor's rooftops (null = all). Column lists and orders as the sections had them. */
  private viewSql(): string {
    return (this.viewSqlCache ??= `SELECT ${this.customerJson.json('c')} AS customer,
        (SELECT COALESCE(json_agg(json_build_object('purpose', x.purpose, 'granted', x.granted, 'at', x.at, 'source', x.source)), '[]'::json)
           FROM (SELECT DISTINCT ON (purpose) purpose, granted, at, source
                   FROM consent WHERE customer_id = c.id AND channel = 'email'
                  ORDER BY purpose, at DESC, id DESC) x) AS consents,
        ${jsonList(
          `json_build_object('id', v.id, 'vin', v.vin, 'make', v.make, 'model', v.model, 'year', v.year, 'powertrain', v.powertrain,
             'status', v.status, 'rooftopId', v.rooftop_id, 'purchaseDate', v.purchase_date::text, 'purchaseType', v.purchase_type,
             'termEndDate', v.term_end_date::text, 'warrantyEndDate', v.warranty_end_date::text)`,
          'FROM vehicle v WHERE v.owner_id = c.id',
          'v.created_at, v.id',
          null,
        )} AS vehicles,
        ${jsonList(
          `json_build_object('id', i.id, 'kind', i.kind, 'direction', i.direction, 'summary', i.summary, 'occurredAt', i.occurred_at,
             'createdBy', i.created_by)`,
          'FROM interaction i WHERE i.customer_id = c.id',
          'i.occurred_at DESC, i.id DESC',
          RECENT,
        )} AS "recentInteractions",
        ${jsonList(
          `json_build_object('id', m.id, 'kind', m.kind, 'purpose', m.purpose, 'status', m.status, 'statusReason', m.status_reason,
             'scheduledAt', m.scheduled_at, 'sentAt', m.sent_at)`,
          'FROM outbox_message m WHERE m.customer_id = c.id AND ($2::uuid[] IS NULL OR m.rooftop_id = ANY($2::uuid[]))',
          'm.created_at DESC, m.id DESC',
          RECENT,
        )} AS "recentMessages",
        ${jsonList(
          `json_build_object('id', s.id, 'rooftopId', s.rooftop_id, 'vehicleId', s.vehicle_id, 'roNumber', s.ro_number,
             'visitDate', s.visit_date, 'status', s.status, 'odometer', s.odometer, 'customerPayAmount', s.customer_pay_amount::float8)`,
          'FROM service_visit s WHERE s.customer_id = c.id AND ($2::uuid[] IS NULL OR s.rooftop_id = ANY($2::uuid[]))',
          's.visit_date DESC, s.id DESC',
          RECENT,
        )} AS "recentVisits"
      FROM customer c WHERE c.id = $1`);
  }
}

/** JSON timestamps back to Date, as pg hands them over (and as the response always serialised them). */
function withDates(rows: Rows, fields: string[]): Rows {
  for (const r of rows) for (const f of fields) if (r[f] != null) r[f] = new Date(r[f] as string);
  return rows;
}
