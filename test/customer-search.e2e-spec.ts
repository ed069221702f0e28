import { bearer, startTestApp, TestApp } from './support/test-app';

/**
 * The customer search's paths beyond the ordered walk of the first 10,000 customers (CustomerSearchRepository):
 * a rare term's matches come from the trigram indexes, and a phone term is looked up there by its last digits
 * only, every row found then checked against the whole term. Each case compares the pages with what
 * `phone LIKE '%<digits>%'` (or the name and email) would find, in cursor order.
 */
describe('customer search beyond the walk', () => {
  let t: TestApp;
  let token: string;
  let rooftop: string;
  /** Customer ids in cursor order (created one second apart). */
  let ids: string[];

  /** Phones that differ from the bulk's (+85560 and the index on six digits), by index. */
  const PHONES: Record<number, string> = {
    5: '+85577700001', // inside the walk's window
    10100: '+85577700002',
    10150: '+85590070000', // ends like '777 0000' is looked up (70000), does not hold 7770000
    10200: '+85577700003',
    10298: '+85599945678', // ends like 012 345 678 (45678), does not hold 12345678
    10299: '+85512345678',
  };

  beforeAll(async () => {
    t = await startTestApp();
    rooftop = (await t.rooftop({ name: 'Phone Search Rooftop' })).id;
    token = (await t.user('salesperson', [rooftop])).token;
    // 10,300 customers: more than the walk reads (10,000) before it leaves a term to the trigram indexes.
    const rows: { id: string }[] = await t.db.query(
      `INSERT INTO customer (home_rooftop_id, first_name, last_name, email, phone, created_at, updated_at)
       SELECT $1, 'Bulk' || i, 'Person', 'bulk' || i || '@mail.example',
              coalesce(($2::jsonb) ->> i::text, '+85560' || lpad(i::text, 6, '0')),
              timestamptz '2026-01-01' + i * interval '1 second', timestamptz '2026-01-01'
         FROM generate_series(0, 10299) i ORDER BY i RETURNING id`,
      [rooftop, JSON.stringify(PHONES)],
    );
    ids = rows.map((r) => r.id);
    await t.db.query('ANALYZE customer');
  });
  afterAll(() => t.close());

  const search = async (q: string, limit = 50, cursor?: string) => {
    const res = await t.http
      .get('/api/v1/customers')
      .query({ q, limit, ...(cursor ? { cursor } : {}) })
      .set(bearer(token));
    expect(res.status).toBe(200);
    return {
      items: (res.body.items as { id: string }[]).map((c) => ids.indexOf(c.id)),
      nextCursor: res.body.nextCursor as string | null,
    };
  };

  it('finds a number past the walk in every written form, and not a number that only ends like it', async () => {
    for (const q of [
      '012 345 678',
      '+855 12 345 678',
      '+85512345678',
      '(012) 345-678',
      '12345678',
      '2345678',
    ]) {
      expect({ q, items: (await search(q)).items }).toEqual({ q, items: [10299] });
    }
    // Five digits or fewer are looked up whole: both numbers hold 45678.
    expect((await search('45678')).items).toEqual([10298, 10299]);
    expect((await search('945678')).items).toEqual([10298]);
    expect((await search('012 345 679')).items).toEqual([]);
  });

  it('pages a phone term from the trigram path into the walk without duplicates or misses', async () => {
    // Inside the window 5 only: the trigram path answers the first page (5, 10100), the walk the second (10200).
    const first = await search('777 0000', 2);
    expect(first.items).toEqual([5, 10100]);
    const second = await search('777 0000', 2, first.nextCursor!);
    expect(second).toEqual({ items: [10200], nextCursor: null });
    expect((await search('+855 777 00001')).items).toEqual([5]);
    expect((await search('0777 00003')).items).toEqual([10200]);
  });

  it('still finds a phone-like term in the name or the email on the trigram path', async () => {
    await t.db.query(`UPDATE customer SET email = 'fleet.90807060@mail.example' WHERE id = $1`, [ids[10280]]);
    // The phone lookup (07060) finds +85560007060, which does not hold 90807060; the email does.
    expect((await search('90807060')).items).toEqual([10280]);
    expect((await search('10250')).items).toEqual([10250]);
  });
  /** Gives each customer (by index) a vehicle whose VIN holds `part`, and each of `emails` an email holding it. */
  async function vinsAndEmails(part: string, owners: number[], emails: number[]) {
    await t.db.query(
      `INSERT INTO vehicle (rooftop_id, vin, make, model, year, powertrain, owner_id)
       SELECT $1, 'KNAB3512' || $2 || lpad(k::text, 3, '0'), 'Kia', 'Rio', 2021, 'ice', o
         FROM unnest($3::uuid[]) WITH ORDINALITY AS x(o, k)`,
      [rooftop, part, owners.map((i) => ids[i])],
    );
    await t.db.query(
      `UPDATE customer SET email = 'fleet.' || lower($1) || '@mail.example' WHERE id = ANY($2)`,
      [part, emails.map((i) => ids[i])],
    );
  }

  /** Every page of a term, as customer indexes. */
  async function pages(q: string, limit: number) {
    const seen: number[][] = [];
    let cursor: string | undefined;
    for (let n = 0; n < 10; n++) {
      const page = await search(q, limit, cursor);
      seen.push(page.items);
      if (!page.nextCursor) break;
      cursor = page.nextCursor;
    }
    return seen;
  }

  it('pages a VIN term whose vehicles lie beyond the first customers it looks at, in cursor order', async () => {
    // VINs of 600 and 700 (after the 250 customers looked at one by one), emails of 900, 950 and 990: the walk
    // fills each page, the VIN owners taken from the trigram index.
    await vinsAndEmails('ZZ7788', [700, 600], [900, 950, 990]);
    expect(await pages('zz7788', 2)).toEqual([[600, 700], [900, 950], [990]]);
  });

  it('pages a VIN term whose vehicles lie among the first customers, in cursor order', async () => {
    // A VIN of 10, among the 250 customers looked at one by one (the term is then common among vehicles: every
    // walked customer's are looked at), one of 400 after them; emails of 500, 600 and 700.
    await vinsAndEmails('YY5566', [400, 10], [500, 600, 700]);
    expect(await pages('YY5566', 2)).toEqual([[10, 400], [500, 600], [700]]);
    // Past the window too: a VIN of 10250 is found on the trigram path after the walk's pages.
    await vinsAndEmails('YY5577', [10250, 15], [25]);
    expect(await pages('yy55', 2)).toEqual([
      [10, 15],
      [25, 400],
      [500, 600],
      [700, 10250],
    ]);
  });
});

/**
 * At a large table (pg_class.reltuples of customer; 1,000,000 here, set by hand on 10,300 rows) a term that fell
 * short in the window's 10,000 rows but matched often enough there walks on past it (up to 30,000 more rows)
 * before the trigram path; the pages are the same in cursor order whichever path answers.
 */
describe('customer search walking on past the window', () => {
  let t: TestApp;
  let token: string;
  let ids: string[];

  /** Last names that differ from the bulk's, by customer index (the window holds indexes 0 to 9,999). */
  const NAMES: Record<number, string> = {
    3: 'Walkon',
    9000: 'Walkon',
    10000: 'Walkon', // the first row past the window
    10001: 'Walkon',
    10150: 'Walkon',
    10299: 'Walkon',
    4: 'Shortfall',
    9001: 'Shortfall',
    10002: 'Shortfall',
    6: 'Kemry', // could be part of a VIN
    9500: 'Kemry',
    10003: 'Kemry',
    10200: 'Kemry',
  };

  beforeAll(async () => {
    t = await startTestApp();
    const rooftop = (await t.rooftop({ name: 'Walk On Rooftop' })).id;
    token = (await t.user('salesperson', [rooftop])).token;
    const rows: { id: string }[] = await t.db.query(
      `INSERT INTO customer (home_rooftop_id, first_name, last_name, email, phone, created_at, updated_at)
       SELECT $1, 'Bulk' || i, coalesce(($2::jsonb) ->> i::text, 'Person'), 'bulk' || i || '@mail.example',
              '+85560' || lpad(i::text, 6, '0'), timestamptz '2026-01-01' + i * interval '1 second',
              timestamptz '2026-01-01'
         FROM generate_series(0, 10299) i ORDER BY i RETURNING id`,
      [rooftop, JSON.stringify(NAMES)],
    );
    ids = rows.map((r) => r.id);
    // A vehicle whose VIN holds the VIN-like term, owned by a customer past the window.
    await t.db.query(
      `INSERT INTO vehicle (rooftop_id, vin, make, model, year, powertrain, owner_id)
       VALUES ($1, 'KNAB3512KEMRY0001', 'Kia', 'Rio', 2021, 'ice', $2)`,
      [rooftop, ids[10004]],
    );
    // The size the search reads (no autovacuum in this database may set it back before the first search).
    await t.db.query(`ALTER TABLE customer SET (autovacuum_enabled = false)`);
    await t.db.query('VACUUM ANALYZE customer');
    await t.db.query(`UPDATE pg_class SET reltuples = 1000000 WHERE oid = 'customer'::regclass`);
  });
  afterAll(() => t.close());

  async function pages(q: string, limit: number) {
    const seen: number[][] = [];
    let cursor: string | undefined;
    for (let n = 0; n < 10; n++) {
      const res = await t.http
        .get('/api/v1/customers')
        .query({ q, limit, ...(cursor ? { cursor } : {}) })
        .set(bearer(token));
      expect(res.status).toBe(200);
      seen.push((res.body.items as { id: string }[]).map((c) => ids.indexOf(c.id)));
      if (!res.body.nextCursor) break;
      cursor = res.body.nextCursor as string;
    }
    return seen;
  }

  it('fills the page from the rows just past the window, the first of them included', async () => {
    // 2 of the window's rows match (enough at limit 4 or 5): the walk goes on from 10000 and fills the page.
    expect(await pages('walkon', 5)).toEqual([[3, 9000, 10000, 10001, 10150], [10299]]);
    expect(await pages('walkon', 4)).toEqual([
      [3, 9000, 10000, 10001],
      [10150, 10299],
    ]);
    // Too few in the window at limit 50: the trigram path answers, same order.
    expect(await pages('walkon', 50)).toEqual([[3, 9000, 10000, 10001, 10150, 10299]]);
  });

  it('leaves a term that still falls short after walking on to the trigram path', async () => {
    expect(await pages('shortfall', 5)).toEqual([[4, 9001, 10002]]);
  });

  it('walks on for a VIN-like term, VIN owners included', async () => {
    expect(await pages('kemry', 4)).toEqual([[6, 9500, 10003, 10004], [10200]]);
  });
});
