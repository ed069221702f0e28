import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { Keyset, Page } from '../common/http/pagination';
import { Customer } from './customer.entity';
import { couldMatchVin, searchPatterns } from './customer-rules';
import { jsonEntity } from './json-rows';

/** Rows of customer_created_idx the ordered search walks before it leaves a rare term to the trigram indexes. */
const SEARCH_WINDOW = 10_000;

/** Oldest first: customer_created_idx (created_at, id), customer_rooftop_created_idx within a rooftop. */
export const CUSTOMER_KEYS = new Keyset(
  [
    { sql: 'c.created_at', type: 'timestamptz' },
    { sql: 'c.id', type: 'uuid' },
  ],
  'ASC',
);

export interface CustomerFilter {
  /** Rooftops whose customers the caller may see (null = all). */
  scope: string[] | null;
  rooftopId?: string;
  salespersonId?: string;
  q?: string;
  /** The decoded cursor: the page starts after this key. */
  after: ReturnType<typeof CUSTOMER_KEYS.decode>;
}

/** The customer list and search statements (set-based; which index serves each is said beside it). */
@Injectable()
export class CustomerSearchRepository {
  constructor(private readonly db: DataSource) {}

  /**
   * A page in the stable (created_at, id) order. A search matches name, email, phone (digit-like terms) and
   * VINs of owned vehicles (terms that could be part of a VIN). Common terms are found by a bounded walk in
   * cursor order (orderedSearch); rare ones by the trigram indexes of the foundation migration
   * (matchSetSearch). Both give the same page.
   */
  async page(filter: CustomerFilter, limit: number): Promise<Page<Customer>> {
    const { scope, after } = filter;
    const params: Record<string, unknown> = {};
    const p = (value: unknown) => {
      const name = `p${Object.keys(params).length}`;
      params[name] = value;
      return `:${name}`;
    };
    const where: string[] = [];
    if (scope) where.push(`c.home_rooftop_id = ANY(${p(scope)}::uuid[])`);
    if (filter.rooftopId) where.push(`c.home_rooftop_id = ${p(filter.rooftopId)}`);
    if (filter.salespersonId) where.push(`c.assigned_salesperson_id = ${p(filter.salespersonId)}`);
    if (after) where.push(CUSTOMER_KEYS.after(after, p));
    if (filter.q !== undefined && filter.q.trim() !== '') {
      const { text, phone } = searchPatterns(filter.q);
      const t = p(text);
      // search_text is the lowered "first last" name and the lowered email on two lines, stored (migration
      // 1764000037000). The pattern is lower case and never holds a line break (searchPatterns folds whitespace),
      // so LIKE on it matches exactly the rows ILIKE on the name or the email matched, without lowering any row;
      // a phone pattern holds only digits and %, which have no case. customer_search_trgm_idx serves LIKE.
      const own = `c.search_text LIKE ${t}${phone ? ` OR c.phone LIKE ${p(phone)}` : ''}`;
      // VINs hold only [A-HJ-NPR-Z0-9]: a term with any other character cannot match one.
      const vin = couldMatchVin(filter.q);
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
   * row, `edge`). The walk reads customer_search_walk_idx only (cursor order, carrying the scope's columns, the
   * lowered name and email and the phone: no table row is read, nothing is lowered per row) and stops at the
   * (limit + 1)-th match; the page's rows are then read by id. The page is exact when it filled up (limit + 1
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
          WHERE c.id IN (
            SELECT c.id FROM customer c
             WHERE ${match}${scope}
               AND (c.created_at, c.id) <= (
                 SELECT coalesce(e.created_at, 'infinity'), coalesce(e.id, 'ffffffff-ffff-ffff-ffff-ffffffffffff')
                   FROM (SELECT 1) one LEFT JOIN edge e ON true)
             ORDER BY ${CUSTOMER_KEYS.orderBy} LIMIT ${limit + 1})
          ORDER BY ${CUSTOMER_KEYS.orderBy}) h ON true`,
      params,
    );
    const rows: { j: Record<string, unknown> | null; cut: number }[] = await this.db.query(sql, values);
    const hits = rows.filter((r) => r.j !== null);
    if (hits.length <= limit && rows[0].cut > 0) return null;
    return CUSTOMER_KEYS.pageOf({ entities: hits.map((r) => customer.hydrate(r.j!)), raw: hits }, limit);
  }

  /**
   * Rare terms: every match from the trigram indexes (customer_search_trgm_idx for the name and email, the phone's;
   * VIN owners when the term could be part of a VIN), materialised so that the planner cannot turn it back into a filtered walk of
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
}
