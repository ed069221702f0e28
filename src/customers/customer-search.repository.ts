import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { Keyset, Page } from '../common/http/pagination';
import { Customer } from './customer.entity';
import { couldMatchVin, searchPatterns } from './customer-rules';
import { jsonEntity } from './json-rows';
import { extensionThreshold, searchExtension, SEARCH_WINDOW } from './customer-search-window';

/**
 * Customers at the start of the window whose vehicles the walk looks up one by one for a term that could be part
 * of a VIN; whether one of them owns a match decides how the rest of the window is checked (see search).
 */
const VIN_SAMPLE = 250;

/** Digits of a phone term the trigram path looks up in customer_phone_trgm_idx (phoneProbe). */
const PHONE_PROBE_DIGITS = 5;

/**
 * Searches that reuse the customer count read from pg_class (reltuples, for searchExtension) before it is read
 * again: an estimate, kept by VACUUM and ANALYZE; a stale one only changes how far the walk goes, not the pages.
 */
const COUNT_USES = 1000;

/**
 * The index lookup for a phone term of more than PHONE_PROBE_DIGITS digits: its last digits. Numbers share their
 * leading digits (every Cambodian number starts 855), so the trigrams of a term's start each stand for nearly
 * every customer, and reading their posting lists was most of a phone search: 12 ms of an 18 ms statement for
 * '+85510001' at 1 M customers (841 index pages), against 1 ms and 43 pages for '10001'. The last digits are the
 * subscriber's, spread evenly. Every row found must still hold the whole term (`strpos`, which no index serves, so
 * the planner cannot fold it back into the lookup): the same rows as `phone LIKE '%<digits>%'`.
 */
function phoneProbe(phonePattern: string): { pattern: string; digits: string } | null {
  const digits = phonePattern.slice(1, -1);
  return /^\d+$/.test(digits) && digits.length > PHONE_PROBE_DIGITS
    ? { pattern: `%${digits.slice(-PHONE_PROBE_DIGITS)}%`, digits }
    : null;
}

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
  private count: { customers: number; uses: number } | null = null;

  constructor(private readonly db: DataSource) {}

  private async customerCount(): Promise<number> {
    if (!this.count || ++this.count.uses >= COUNT_USES) {
      const [{ n }]: { n: number }[] = await this.db.query(
        `SELECT greatest(reltuples, 0)::float8 AS n FROM pg_class WHERE oid = 'customer'::regclass`,
      );
      this.count = { customers: n, uses: 0 };
    }
    return this.count.customers;
  }

  /**
   * A page in the stable (created_at, id) order. A search matches name, email, phone (digit-like terms) and
   * VINs of owned vehicles (terms that could be part of a VIN). Common terms are found by a bounded walk in
   * cursor order, rare ones by the trigram indexes, in one statement (search).
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
      // The trigram path asks customer_phone_trgm_idx for the term's last digits only (see phoneProbe) and checks
      // the whole term on the rows it finds: the same rows, without the posting lists every number shares.
      const probe = phone ? phoneProbe(phone) : null;
      const ownRare = probe
        ? `c.search_text LIKE ${t} OR (c.phone LIKE ${p(probe.pattern)} AND strpos(c.phone, ${p(probe.digits)}) > 0)`
        : own;
      // VINs hold only [A-HJ-NPR-Z0-9]: a term with any other character cannot match one.
      const vin = couldMatchVin(filter.q) ? t : null;
      return this.search(where, { own, ownRare, vin }, params, limit);
    }
    const qb = this.db.getRepository(Customer).createQueryBuilder('c');
    if (where.length) qb.where(where.join(' AND '), params);
    // The cursor's predicate is in `where` already (the searches share it).
    return CUSTOMER_KEYS.pageOf(await CUSTOMER_KEYS.applyTo(qb, undefined, limit).getRawAndEntities(), limit);
  }

  /**
   * One statement. `walk`: the matches among the next SEARCH_WINDOW (10,000) rows in cursor order, read from
   * customer_search_walk_idx alone (cursor order, carrying the scope's columns, the lowered name and email and the
   * phone: no table row is read, nothing is lowered per row); a common term stops at the (limit + 1)-th match.
   * A term that could be part of a VIN also matches the customers owning such a vehicle. Looking up each walked
   * customer's vehicles costs ~4 µs a row (40 ms for a rare term's 10,000 rows at 1 M customers, any all-digit phone
   * term included), so only the first VIN_SAMPLE rows of the window are looked up one by one (up to `vin_cut`; a
   * common name fills its page there, and nothing else is read). Past them, the lookups go on only when the term
   * is common among vehicles, i.e. one of those customers owns a match (`vin_hot`, evaluated on first use);
   * otherwise the owners of every matching VIN come once from vehicle_vin_trgm_idx (`vin_few`, few by that test)
   * and the walk checks each row against them (a hashed set).
   * `walk_on`: at a large table (searchExtension: none below 250,000 customers, 30,000 rows at 1 M) a term that fell
   * short in the window but matched there at least extensionThreshold times (13 for a page of 50 at 1 M: as many as
   * say the page fills within the extension) walks on from `edge`, the first row past the window, through at most
   * `extension` more rows, stopping at the page's (limit + 1)-th match. Reading a term of 0.17 % of customers from
   * the trigram index costs ~10 ms at 1 M customers (every match read and rechecked, ~1,700 rows; 2,250 buffers)
   * against a few ms for walking on (~700 buffers); a term without enough matches in the window (no match, a rare
   * name, a phone number) never pays it. The walked rows are contiguous in cursor order, so a page filled by walk and walk_on is the page.
   * `rare` runs only when the walks fell short and rows remain past the window (`edge`; a one-time filter): every
   * match from the trigram indexes (customer_search_trgm_idx, the phone's by the term's last digits, VIN owners),
   * materialised so that the planner cannot turn it into a filtered walk of every row. The window's matches come
   * first in cursor order, so they are among rare's first limit + 1; the page is rare's when it ran, else the
   * walks', its rows then read by id. Duplicates (a name and a VIN match) go by sort (DISTINCT ON): a hash would be
   * sized by the estimate of every VIN match, tens of MB allocated per request.
   */
  private async search(
    where: string[],
    { own, ownRare, vin }: { own: string; ownRare: string; vin: string | null },
    params: Record<string, unknown>,
    limit: number,
  ): Promise<Page<Customer>> {
    const customer = jsonEntity(this.db, Customer);
    const extension = searchExtension(await this.customerCount());
    const scope = where.map((w) => ` AND ${w}`).join('');
    const keys = `(c.created_at, c.id)`;
    const ownsVin = `EXISTS (SELECT 1 FROM vehicle v WHERE v.owner_id = c.id AND v.vin ILIKE ${vin} OFFSET 0)`;
    const matches = `${own}${
      vin
        ? ` OR CASE WHEN ${keys} <= (SELECT created_at, id FROM vin_cut) THEN ${ownsVin}
               ELSE ((SELECT hot FROM vin_hot) AND ${ownsVin}) OR c.id IN (SELECT owner_id FROM vin_few) END`
        : ''
    }`;
    const threshold = extensionThreshold(limit, extension);
    const walkOn = Number.isFinite(threshold)
      ? `walk_on AS MATERIALIZED (
         SELECT c.id, c.created_at FROM (
           SELECT c.id, c.created_at, c.search_text, c.phone FROM customer c
            WHERE ${keys} >= (SELECT created_at, id FROM edge)${scope}
            ORDER BY ${CUSTOMER_KEYS.orderBy} LIMIT ${extension}) c
          WHERE (${matches}) AND (SELECT count(*) FROM walk) BETWEEN ${threshold} AND ${limit}
          ORDER BY ${CUSTOMER_KEYS.orderBy} LIMIT (${limit + 1} - (SELECT count(*) FROM walk))),
       `
      : '';
    const found = walkOn
      ? `(SELECT count(*) FROM walk) + (SELECT count(*) FROM walk_on)`
      : `(SELECT count(*) FROM walk)`;
    const short = `${found} <= ${limit} AND EXISTS (SELECT 1 FROM edge)`;
    const [sql, values] = this.db.driver.escapeQueryWithParameters(
      `WITH ${
        vin
          ? `vin_cut AS MATERIALIZED (
         SELECT c.created_at, c.id FROM customer c WHERE true${scope}
          ORDER BY ${CUSTOMER_KEYS.orderBy} OFFSET ${VIN_SAMPLE - 1} LIMIT 1),
       vin_hot AS MATERIALIZED (
         SELECT EXISTS (SELECT 1 FROM (
           SELECT c.id FROM customer c WHERE true${scope} ORDER BY ${CUSTOMER_KEYS.orderBy} LIMIT ${VIN_SAMPLE}) c
          WHERE ${ownsVin}) AS hot),
       vin_few AS MATERIALIZED (
         SELECT v.owner_id FROM vehicle v WHERE v.vin ILIKE ${vin} AND NOT (SELECT hot FROM vin_hot)),
       `
          : ''
      }walk AS MATERIALIZED (
         SELECT c.id, c.created_at FROM (
           SELECT c.id, c.created_at, c.search_text, c.phone FROM customer c WHERE true${scope}
            ORDER BY ${CUSTOMER_KEYS.orderBy} LIMIT ${SEARCH_WINDOW}) c
          WHERE ${matches}
          ORDER BY ${CUSTOMER_KEYS.orderBy} LIMIT ${limit + 1}),
       edge AS MATERIALIZED (
         SELECT c.created_at, c.id FROM customer c WHERE true${scope}
          ORDER BY ${CUSTOMER_KEYS.orderBy} OFFSET ${SEARCH_WINDOW} LIMIT 1),
       ${walkOn}rare AS MATERIALIZED (
         SELECT c.id, c.created_at FROM customer c WHERE (${ownRare})${scope} AND ${short}${
           vin
             ? `
         UNION ALL SELECT c.id, c.created_at FROM vehicle v JOIN customer c ON c.id = v.owner_id
          WHERE v.vin ILIKE ${vin}${scope} AND ${short}`
             : ''
         }),
       top AS MATERIALIZED (
         SELECT DISTINCT ON (m.created_at, m.id) m.id FROM (
           SELECT id, created_at FROM walk WHERE NOT EXISTS (SELECT 1 FROM rare)${
             walkOn
               ? `\n           UNION ALL SELECT id, created_at FROM walk_on WHERE NOT EXISTS (SELECT 1 FROM rare)`
               : ''
           }
           UNION ALL SELECT id, created_at FROM rare) m
          ORDER BY m.created_at, m.id LIMIT ${limit + 1})
       SELECT ${customer.json('c')} AS j, ${CUSTOMER_KEYS.select}
         FROM customer c WHERE c.id IN (SELECT id FROM top) ORDER BY ${CUSTOMER_KEYS.orderBy}`,
      params,
    );
    const rows: { j: Record<string, unknown> }[] = await this.db.query(sql, values);
    return CUSTOMER_KEYS.pageOf({ entities: rows.map((r) => customer.hydrate(r.j)), raw: rows }, limit);
  }
}
