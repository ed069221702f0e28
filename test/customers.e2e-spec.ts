import { DomainEvents, DomainEventMap } from '../src/common/domain-events';
import { LinkSigner } from '../src/common/link-signer';
import { bearer, startTestApp, TestApp } from './support/test-app';

type Staff = { id: string; token: string };

/** The distinct field names of a problem+json body, sorted. */
const fieldsOf = (body: { errors?: { field: string }[] }) =>
  [...new Set((body.errors ?? []).map((e) => e.field))].sort();

describe('customers', () => {
  let t: TestApp;
  let rooftopA: string;
  let rooftopB: string;
  let admin: Staff;
  let manager: Staff;
  let sales: Staff;
  let advisor: Staff;
  let salesB: Staff;
  let managerB: Staff;
  const erasedEvents: DomainEventMap['customer.erased'][] = [];
  const consentEvents: DomainEventMap['consent.changed'][] = [];

  beforeAll(async () => {
    t = await startTestApp();
    rooftopA = (await t.rooftop({ name: 'Phnom Penh Motors' })).id;
    rooftopB = (await t.rooftop({ name: 'Vientiane Auto' })).id;
    admin = await t.user('admin');
    manager = await t.user('manager', [rooftopA]);
    sales = await t.user('salesperson', [rooftopA]);
    advisor = await t.user('service_advisor', [rooftopA]);
    salesB = await t.user('salesperson', [rooftopB]);
    managerB = await t.user('manager', [rooftopB]);
    const events = t.app.get(DomainEvents);
    events.on('customer.erased', async (_m, payload) => void erasedEvents.push(payload));
    events.on('consent.changed', async (_m, payload) => void consentEvents.push(payload));
  });
  afterAll(() => t.close());

  const count = async (table: string) =>
    (await t.db.query(`SELECT count(*)::int AS n FROM ${table}`))[0].n as number;

  async function create(token: string, body: Record<string, unknown>) {
    const res = await t.http
      .post('/api/v1/customers')
      .set(bearer(token))
      .send({ homeRooftopId: rooftopA, ...body });
    if (res.status !== 201) throw new Error(`create answered ${res.status}: ${JSON.stringify(res.body)}`);
    return res.body as { id: string; version: number; [k: string]: unknown };
  }

  describe('create and read', () => {
    it('creates a customer with the phone in E.164 and the default language, and reads it back with its version as ETag', async () => {
      const res = await t.http.post('/api/v1/customers').set(bearer(sales.token)).send({
        homeRooftopId: rooftopA,
        firstName: ' Dara ',
        lastName: 'Sok',
        email: 'Dara.Sok@Example.com',
        phone: '012 345 678',
        birthday: '1988-04-13',
      });
      expect(res.status).toBe(201);
      expect(res.headers.etag).toBe('"1"');
      expect(res.body).toMatchObject({
        firstName: 'Dara',
        lastName: 'Sok',
        email: 'dara.sok@example.com',
        phone: '+85512345678',
        birthday: '1988-04-13',
        language: 'en',
        homeRooftopId: rooftopA,
        version: 1,
        erasedAt: null,
      });
      const got = await t.http.get(`/api/v1/customers/${res.body.id}`).set(bearer(advisor.token));
      expect(got.status).toBe(200);
      expect(got.headers.etag).toBe('"1"');
      expect(got.body).toMatchObject({ id: res.body.id, phone: '+85512345678' });
      const audit = await t.db.query(`SELECT action, fields FROM audit_log WHERE entity_id = $1`, [
        res.body.id,
      ]);
      expect(audit).toEqual([
        { action: 'customer.created', fields: expect.arrayContaining(['firstName', 'email', 'phone']) },
      ]);
    });

    it('names every bad field, rejects unknown fields and writes nothing', async () => {
      const before = await count('customer');
      const res = await t.http.post('/api/v1/customers').set(bearer(sales.token)).send({
        homeRooftopId: 'not-a-uuid',
        firstName: '',
        email: 'nope',
        phone: '12',
        birthday: '1990-02-30',
        language: 'fr',
        nickname: 'x',
      });
      expect(res.status).toBe(400);
      expect(res.headers['content-type']).toMatch(/application\/problem\+json/);
      expect(fieldsOf(res.body)).toEqual([
        'birthday',
        'email',
        'firstName',
        'homeRooftopId',
        'language',
        'nickname',
        'phone',
      ]);
      expect(await count('customer')).toBe(before);
      expect(await count(`audit_log WHERE action = 'customer.created'`)).toBe(1);
    });

    it('refuses an invalid phone number naming phone', async () => {
      const res = await t.http
        .post('/api/v1/customers')
        .set(bearer(sales.token))
        .send({ homeRooftopId: rooftopA, firstName: 'A', phone: '+855 1' });
      expect(res.status).toBe(400);
      expect(res.body.errors).toEqual([expect.objectContaining({ field: 'phone' })]);
    });

    it('refuses a birthday in the future', async () => {
      const res = await t.http
        .post('/api/v1/customers')
        .set(bearer(sales.token))
        .send({ homeRooftopId: rooftopA, firstName: 'A', birthday: '2030-01-01' });
      expect(res.status).toBe(400);
      expect(res.body.errors).toEqual([expect.objectContaining({ field: 'birthday' })]);
    });

    it('answers 404 for a home rooftop not granted, 422 for an inactive salesperson and 409 for a duplicate externalId', async () => {
      const before = await count('customer');
      const notGranted = await t.http
        .post('/api/v1/customers')
        .set(bearer(sales.token))
        .send({ homeRooftopId: rooftopB, firstName: 'A' });
      expect(notGranted.status).toBe(404);
      expect(notGranted.body.errors).toEqual([expect.objectContaining({ field: 'homeRooftopId' })]);

      const gone = await t.user('salesperson', [rooftopA]);
      await t.db.query(`UPDATE app_user SET active = false WHERE id = $1`, [gone.id]);
      const inactive = await t.http
        .post('/api/v1/customers')
        .set(bearer(sales.token))
        .send({ homeRooftopId: rooftopA, firstName: 'A', assignedSalespersonId: gone.id });
      expect(inactive.status).toBe(422);
      expect(inactive.body.errors).toEqual([expect.objectContaining({ field: 'assignedSalespersonId' })]);
      expect(await count('customer')).toBe(before);

      await create(sales.token, {
        firstName: 'First',
        externalId: 'DMS-DUP',
        assignedSalespersonId: sales.id,
      });
      const dup = await t.http
        .post('/api/v1/customers')
        .set(bearer(sales.token))
        .send({ homeRooftopId: rooftopA, firstName: 'Second', externalId: 'DMS-DUP' });
      expect(dup.status).toBe(409);
      expect(dup.body.code).toBe('external_id_taken');
      expect(await count('customer')).toBe(before + 1);
    });
  });

  describe('search and pagination', () => {
    let searchRooftop: string;
    let token: string;
    beforeAll(async () => {
      searchRooftop = (await t.rooftop({ name: 'Search Rooftop' })).id;
      token = (await t.user('salesperson', [searchRooftop])).token;
    });

    it('finds customers by name, email, phone and VIN', async () => {
      const chan = await create(token, {
        homeRooftopId: searchRooftop,
        firstName: 'Sophea',
        lastName: 'Chan',
        email: 'sophea@mail.example',
        phone: '+855 97 765 4321',
      });
      const keo = await create(token, {
        homeRooftopId: searchRooftop,
        firstName: 'Vanna',
        lastName: 'Keo',
        email: 'vk@other.example',
        phone: '011 223 344',
      });
      await t.db.query(
        `INSERT INTO vehicle (rooftop_id, vin, make, model, year, powertrain, owner_id) VALUES ($1, 'JTDKB20U093123456', 'Toyota', 'Prius', 2022, 'hybrid', $2)`,
        [searchRooftop, keo.id],
      );
      const search = async (q: string) => {
        const res = await t.http.get('/api/v1/customers').query({ q }).set(bearer(token));
        expect(res.status).toBe(200);
        return res.body.items.map((c: { id: string }) => c.id);
      };
      expect(await search('sophea chan')).toEqual([chan.id]);
      expect(await search('CHAN')).toEqual([chan.id]);
      expect(await search('other.example')).toEqual([keo.id]);
      expect(await search('097 765')).toEqual([chan.id]);
      expect(await search('+85511223344')).toEqual([keo.id]);
      expect(await search('u093123')).toEqual([keo.id]);
      expect(await search('nobody-like-this')).toEqual([]);
      // Case-insensitive beyond ASCII: the term and the lowered columns are compared in the same case.
      const elodie = await create(token, {
        homeRooftopId: searchRooftop,
        firstName: 'Élodie',
        lastName: 'STRÖM',
        email: 'Elodie.Strom@Mail.Example',
      });
      expect(await search('ÉLODIE ström')).toEqual([elodie.id]);
      expect(await search('elodie.strom@mail')).toEqual([elodie.id]);
      // Another rooftop's salesperson finds nothing of this rooftop.
      const other = await t.http.get('/api/v1/customers').query({ q: 'sophea' }).set(bearer(salesB.token));
      expect(other.body.items).toEqual([]);
    });

    it('matches the name or the email, never across the two, and follows a rename', async () => {
      const rooftop = (await t.rooftop({ name: 'Rename Rooftop' })).id;
      const user = await t.user('salesperson', [rooftop]);
      const search = async (q: string) => {
        const res = await t.http.get('/api/v1/customers').query({ q }).set(bearer(user.token));
        expect(res.status).toBe(200);
        return res.body.items.map((c: { id: string }) => c.id);
      };
      const dara = await create(user.token, {
        homeRooftopId: rooftop,
        firstName: 'Dara',
        lastName: 'Meas',
        email: 'owner@fleet.example',
      });
      // No last name: the name is absent from the search (as `first || ' ' || last` is NULL), the email is not.
      const solo = await create(user.token, {
        homeRooftopId: rooftop,
        firstName: 'Solo',
        email: 'solo@fleet.example',
      });
      expect(await search('meas')).toEqual([dara.id]);
      expect(await search('solo@fleet')).toEqual([solo.id]);
      expect(await search('solo')).toEqual([solo.id]);
      // The end of the name and the start of the email are not one text.
      expect(await search('meas owner')).toEqual([]);
      expect(await search('measowner')).toEqual([]);
      const renamed = await t.http
        .patch(`/api/v1/customers/${dara.id}`)
        .set(bearer(user.token))
        .set('If-Match', '"1"')
        .send({ lastName: 'Heng', email: 'dara.heng@fleet.example' });
      expect(renamed.status).toBe(200);
      expect(await search('meas')).toEqual([]);
      expect(await search('owner@')).toEqual([]);
      expect(await search('dara heng')).toEqual([dara.id]);
      expect(await search('DARA.HENG@')).toEqual([dara.id]);
    });

    it('pages through more customers than the limit with nextCursor until null, without duplicates or misses', async () => {
      const rooftop = (await t.rooftop({ name: 'Paging Rooftop' })).id;
      const user = await t.user('salesperson', [rooftop]);
      const ids: string[] = [];
      for (let i = 0; i < 7; i++) {
        // Business time moves for some and stays for others: ties on created_at are ordered by id.
        if (i % 3 === 0) t.clock.advance(1000);
        ids.push((await create(user.token, { homeRooftopId: rooftop, firstName: `Page${i}` })).id);
      }
      const seen: string[] = [];
      let cursor: string | null = null;
      let pages = 0;
      do {
        const query: Record<string, string | number> = cursor ? { limit: 3, cursor } : { limit: 3 };
        const res: { status: number; body: { items: { id: string }[]; nextCursor: string | null } } =
          await t.http.get('/api/v1/customers').query(query).set(bearer(user.token));
        expect(res.status).toBe(200);
        expect(res.body.items.length).toBeLessThanOrEqual(3);
        seen.push(...res.body.items.map((c: { id: string }) => c.id));
        cursor = res.body.nextCursor;
        pages += 1;
      } while (cursor && pages < 10);
      expect(pages).toBe(3);
      expect(seen).toHaveLength(7);
      expect(new Set(seen)).toEqual(new Set(ids));
    });

    it('finds a rare match created after thousands of others and pages a common term without duplicates or misses', async () => {
      const rooftop = (await t.rooftop({ name: 'Bulk Rooftop' })).id;
      const user = await t.user('salesperson', [rooftop]);
      // 10,300 customers: more than the ordered search walks (10,000) before it hands a rare term to the trigram indexes.
      const rows: { id: string }[] = await t.db.query(
        `INSERT INTO customer (home_rooftop_id, first_name, last_name, email, created_at, updated_at)
         SELECT $1, 'Bulk' || i, CASE WHEN i = 10299 THEN 'Rarely' ELSE 'Person' END,
                CASE WHEN i = 10299 THEN 'seldom@mail.example' END,
                timestamptz '2026-01-01' + i * interval '1 second', timestamptz '2026-01-01'
           FROM generate_series(0, 10299) i ORDER BY i RETURNING id`,
        [rooftop],
      );
      const ids = rows.map((r) => r.id);
      await t.db.query(
        `INSERT INTO vehicle (rooftop_id, vin, make, model, year, powertrain, owner_id) VALUES ($1, 'KNAB3512XYZ987654', 'Kia', 'Picanto', 2021, 'ice', $2)`,
        [rooftop, ids[10298]],
      );
      const search = async (q: string, limit = 50, cursor?: string) => {
        const res = await t.http
          .get('/api/v1/customers')
          .query({ q, limit, ...(cursor ? { cursor } : {}) })
          .set(bearer(user.token));
        expect(res.status).toBe(200);
        return res.body as { items: { id: string }[]; nextCursor: string | null };
      };
      expect((await search('rarely')).items.map((c) => c.id)).toEqual([ids[10299]]);
      expect((await search('SELDOM@mail')).items.map((c) => c.id)).toEqual([ids[10299]]);
      // The trigram search too matches the name or the email, never text running from one into the other.
      expect((await search('rarely seldom')).items).toEqual([]);
      expect((await search('xyz98765')).items.map((c) => c.id)).toEqual([ids[10298]]);
      // A customer owning two matching vehicles is one match: pages of one go 10298, then 10299, then end.
      await t.db.query(
        `INSERT INTO vehicle (rooftop_id, vin, make, model, year, powertrain, owner_id)
         VALUES ($1, 'MR0AB12WT44221001', 'Kia', 'Rio', 2021, 'ice', $2), ($1, 'MR0AB12WT44221002', 'Kia', 'Rio', 2021, 'ice', $2),
                ($1, 'MR0AB12WT44221003', 'Kia', 'Rio', 2021, 'ice', $3)`,
        [rooftop, ids[10298], ids[10299]],
      );
      const first = await search('wt4422', 1);
      expect(first.items.map((c) => c.id)).toEqual([ids[10298]]);
      const second = await search('wt4422', 1, first.nextCursor!);
      expect(second.items.map((c) => c.id)).toEqual([ids[10299]]);
      expect(second.nextCursor).toBeNull();
      // 'bulk102' matches Bulk102, Bulk1020–1029 and Bulk10200–10299: 111 customers, the last ones far apart.
      const expected = ids.filter((_, i) => String(i).startsWith('102'));
      const seen: string[] = [];
      let cursor: string | undefined;
      for (let pages = 0; pages < 10; pages++) {
        const page = await search('bulk102', 20, cursor);
        seen.push(...page.items.map((c) => c.id));
        if (!page.nextCursor) break;
        cursor = page.nextCursor;
      }
      expect(seen).toEqual(expected);
    });

    it('filters by rooftop and salesperson and refuses a bad cursor, limit or unknown query parameter', async () => {
      const own = await t.http
        .get('/api/v1/customers')
        .query({ salespersonId: sales.id })
        .set(bearer(admin.token));
      expect(own.status).toBe(200);
      expect(own.body.items.map((c: { firstName: string }) => c.firstName)).toEqual(['First']);
      expect(
        (await t.http.get('/api/v1/customers').query({ rooftopId: rooftopB }).set(bearer(sales.token)))
          .status,
      ).toBe(404);
      const bad = await t.http
        .get('/api/v1/customers')
        .query({ cursor: 'garbage', limit: 500, sort: 'name' })
        .set(bearer(sales.token));
      expect(bad.status).toBe(400);
      expect(fieldsOf(bad.body)).toEqual(['limit', 'sort']);
      const badCursor = await t.http
        .get('/api/v1/customers')
        .query({ cursor: 'garbage' })
        .set(bearer(sales.token));
      expect(badCursor.status).toBe(400);
      expect(badCursor.body.errors).toEqual([expect.objectContaining({ field: 'cursor' })]);
    });
  });

  describe('update', () => {
    it('updates with If-Match, clears a field with null, and answers 428 without it and 412 when stale', async () => {
      const c = await create(sales.token, { firstName: 'Bopha', email: 'bopha@example.com' });
      const missing = await t.http
        .patch(`/api/v1/customers/${c.id}`)
        .set(bearer(sales.token))
        .send({ lastName: 'Lim' });
      expect(missing.status).toBe(428);

      const ok = await t.http
        .patch(`/api/v1/customers/${c.id}`)
        .set(bearer(sales.token))
        .set('If-Match', '"1"')
        .send({ lastName: 'Lim', email: null, language: 'km' });
      expect(ok.status).toBe(200);
      expect(ok.headers.etag).toBe('"2"');
      expect(ok.body).toMatchObject({ lastName: 'Lim', email: null, language: 'km', version: 2 });

      const stale = await t.http
        .patch(`/api/v1/customers/${c.id}`)
        .set(bearer(sales.token))
        .set('If-Match', '"1"')
        .send({ lastName: 'Other' });
      expect(stale.status).toBe(412);
      expect(stale.body).toMatchObject({ code: 'stale_version', currentVersion: 2 });
      expect((await t.http.get(`/api/v1/customers/${c.id}`).set(bearer(sales.token))).body.lastName).toBe(
        'Lim',
      );
      const audit = await t.db.query(
        `SELECT fields FROM audit_log WHERE entity_id = $1 AND action = 'customer.updated'`,
        [c.id],
      );
      expect(audit).toEqual([{ fields: ['lastName', 'email', 'language'] }]);
    });

    it('names bad fields on update and changes nothing', async () => {
      const c = await create(sales.token, { firstName: 'Nary' });
      const res = await t.http
        .patch(`/api/v1/customers/${c.id}`)
        .set(bearer(sales.token))
        .set('If-Match', '1')
        .send({ firstName: null, phone: 'abc', version: 7 });
      expect(res.status).toBe(400);
      expect(fieldsOf(res.body)).toEqual(['firstName', 'phone', 'version']);
      expect((await t.http.get(`/api/v1/customers/${c.id}`).set(bearer(sales.token))).body).toMatchObject({
        firstName: 'Nary',
        version: 1,
      });
    });

    it('lets exactly one of two concurrent updates from the same version win', async () => {
      const c = await create(sales.token, { firstName: 'Race' });
      const patch = (lastName: string) =>
        t.http
          .patch(`/api/v1/customers/${c.id}`)
          .set(bearer(sales.token))
          .set('If-Match', '"1"')
          .send({ lastName });
      const results = await Promise.all([patch('One'), patch('Two')]);
      expect(results.map((r) => r.status).sort()).toEqual([200, 412]);
      const winner = results.find((r) => r.status === 200)!;
      const stored = await t.http.get(`/api/v1/customers/${c.id}`).set(bearer(sales.token));
      expect(stored.body).toMatchObject({ lastName: winner.body.lastName, version: 2 });
    });
  });

  describe('rooftop scoping', () => {
    it("answers 404 for another rooftop's customer on every route", async () => {
      const c = await create(sales.token, { firstName: 'Hidden' });
      const id = c.id;
      const h = bearer(salesB.token);
      expect((await t.http.get(`/api/v1/customers/${id}`).set(h)).status).toBe(404);
      expect(
        (await t.http.patch(`/api/v1/customers/${id}`).set(h).set('If-Match', '"1"').send({ lastName: 'X' }))
          .status,
      ).toBe(404);
      expect((await t.http.get(`/api/v1/customers/${id}/consents`).set(h)).status).toBe(404);
      expect(
        (
          await t.http
            .post(`/api/v1/customers/${id}/consents`)
            .set(h)
            .send({ purpose: 'marketing', granted: true, source: 'form' })
        ).status,
      ).toBe(404);
      expect((await t.http.get(`/api/v1/customers/${id}/interactions`).set(h)).status).toBe(404);
      expect(
        (
          await t.http
            .post(`/api/v1/customers/${id}/interactions`)
            .set(h)
            .send({ kind: 'call', summary: 'x', occurredAt: '2026-06-14T09:00:00Z' })
        ).status,
      ).toBe(404);
      expect((await t.http.get(`/api/v1/customers/${id}/360`).set(h)).status).toBe(404);
      expect((await t.http.post(`/api/v1/customers/${id}/erasure`).set(bearer(managerB.token))).status).toBe(
        404,
      );
      const stored = await t.db.query(`SELECT last_name, erased_at, version FROM customer WHERE id = $1`, [
        id,
      ]);
      expect(stored).toEqual([{ last_name: '', erased_at: null, version: 1 }]);
      expect(await count(`consent WHERE customer_id = '${id}'`)).toBe(0);
      expect(await count(`interaction WHERE customer_id = '${id}'`)).toBe(0);
    });
  });

  describe('consents', () => {
    it('shows the defaults, appends decisions to the history and suppresses pending messages of a withdrawn purpose', async () => {
      const c = await create(sales.token, { firstName: 'Consent', email: 'consent@example.com' });
      const initial = await t.http.get(`/api/v1/customers/${c.id}/consents`).set(bearer(sales.token));
      expect(initial.status).toBe(200);
      expect(initial.body.history).toEqual([]);
      expect(initial.body.current).toEqual({
        service_reminders: { granted: true, at: null, source: 'default', default: true },
        follow_ups: { granted: true, at: null, source: 'default', default: true },
        surveys: { granted: true, at: null, source: 'default', default: true },
        marketing: { granted: false, at: null, source: 'default', default: true },
      });

      for (const [key, purpose] of [
        ['a', 'service_reminders'],
        ['b', 'marketing'],
      ]) {
        await t.db.query(
          `INSERT INTO outbox_message (dedupe_key, rooftop_id, customer_id, kind, purpose, scheduled_at, next_attempt_at) VALUES ($1, $2, $3, 'x', $4, now(), now())`,
          [`${c.id}:${key}`, rooftopA, c.id, purpose],
        );
      }

      const optIn = await t.http.post(`/api/v1/customers/${c.id}/consents`).set(bearer(sales.token)).send({
        purpose: 'marketing',
        granted: true,
        source: 'showroom_form',
        wording: 'Send me offers by email.',
      });
      expect(optIn.status).toBe(201);
      t.clock.advance(60_000);
      const withdraw = await t.http
        .post(`/api/v1/customers/${c.id}/consents`)
        .set(bearer(advisor.token))
        .send({ purpose: 'service_reminders', granted: false, source: 'phone_call' });
      expect(withdraw.status).toBe(201);

      const after = await t.http.get(`/api/v1/customers/${c.id}/consents`).set(bearer(sales.token));
      expect(after.body.current.marketing).toMatchObject({
        granted: true,
        source: 'showroom_form',
        default: false,
      });
      expect(after.body.current.service_reminders).toMatchObject({
        granted: false,
        source: 'phone_call',
        default: false,
      });
      expect(after.body.current.surveys).toMatchObject({ granted: true, default: true });
      expect(
        after.body.history.map((h: { purpose: string; granted: boolean }) => [h.purpose, h.granted]),
      ).toEqual([
        ['service_reminders', false],
        ['marketing', true],
      ]);
      expect(after.body.history[1].wording).toBe('Send me offers by email.');

      const statuses = await t.db.query(
        `SELECT purpose, status, status_reason FROM outbox_message WHERE customer_id = $1 ORDER BY purpose`,
        [c.id],
      );
      expect(statuses).toEqual([
        { purpose: 'marketing', status: 'pending', status_reason: null },
        { purpose: 'service_reminders', status: 'suppressed', status_reason: 'consent_withdrawn' },
      ]);
      expect(consentEvents.filter((e) => e.customerId === c.id).map((e) => [e.purpose, e.granted])).toEqual([
        ['marketing', true],
        ['service_reminders', false],
      ]);
      const audit = await t.db.query(
        `SELECT action, fields FROM audit_log WHERE entity_id = $1 AND action LIKE 'consent.%' ORDER BY id`,
        [c.id],
      );
      expect(audit).toEqual([
        { action: 'consent.granted', fields: ['consent.marketing'] },
        { action: 'consent.withdrawn', fields: ['consent.service_reminders'] },
      ]);
    });

    it('names bad consent fields and writes nothing', async () => {
      const c = await create(sales.token, { firstName: 'BadConsent' });
      const res = await t.http
        .post(`/api/v1/customers/${c.id}/consents`)
        .set(bearer(sales.token))
        .send({ purpose: 'spam', granted: 'yes', channel: 'fax' });
      expect(res.status).toBe(400);
      expect(fieldsOf(res.body)).toEqual(['channel', 'granted', 'purpose', 'source']);
      expect(await count(`consent WHERE customer_id = '${c.id}'`)).toBe(0);
    });
  });

  describe('interactions', () => {
    it('logs interactions and lists them newest first across pages', async () => {
      const c = await create(sales.token, { firstName: 'Timeline' });
      const times = [
        '2026-06-01T08:00:00Z',
        '2026-06-03T08:00:00Z',
        '2026-06-02T08:00:00Z',
        '2026-06-03T08:00:00Z',
      ];
      for (const [i, occurredAt] of times.entries()) {
        const res = await t.http
          .post(`/api/v1/customers/${c.id}/interactions`)
          .set(bearer(sales.token))
          .send({
            kind: i % 2 ? 'call' : 'note',
            direction: i % 2 ? 'outbound' : undefined,
            summary: `entry ${i}`,
            occurredAt,
          });
        expect(res.status).toBe(201);
        expect(res.body).toMatchObject({
          customerId: c.id,
          rooftopId: rooftopA,
          summary: `entry ${i}`,
          createdBy: sales.id,
        });
      }
      const page1 = await t.http
        .get(`/api/v1/customers/${c.id}/interactions`)
        .query({ limit: 2 })
        .set(bearer(advisor.token));
      expect(page1.status).toBe(200);
      const page2 = await t.http
        .get(`/api/v1/customers/${c.id}/interactions`)
        .query({ limit: 2, cursor: page1.body.nextCursor })
        .set(bearer(advisor.token));
      expect(page2.body.nextCursor).toBeNull();
      const all = [...page1.body.items, ...page2.body.items];
      expect(all.map((i: { occurredAt: string }) => i.occurredAt)).toEqual([
        '2026-06-03T08:00:00.000Z',
        '2026-06-03T08:00:00.000Z',
        '2026-06-02T08:00:00.000Z',
        '2026-06-01T08:00:00.000Z',
      ]);
      expect(new Set(all.map((i: { summary: string }) => i.summary))).toEqual(
        new Set(['entry 0', 'entry 1', 'entry 2', 'entry 3']),
      );
    });

    it('names bad interaction fields and writes nothing', async () => {
      const c = await create(sales.token, { firstName: 'BadInteraction' });
      const res = await t.http
        .post(`/api/v1/customers/${c.id}/interactions`)
        .set(bearer(sales.token))
        .send({ kind: 'fax', direction: 'sideways', summary: '', occurredAt: 'yesterday' });
      expect(res.status).toBe(400);
      expect(fieldsOf(res.body)).toEqual(['direction', 'kind', 'occurredAt', 'summary']);
      expect(await count(`interaction WHERE customer_id = '${c.id}'`)).toBe(0);
    });
  });

  describe('erasure', () => {
    it('forbids erasure to salespeople and service advisors', async () => {
      const c = await create(sales.token, { firstName: 'Keep' });
      expect((await t.http.post(`/api/v1/customers/${c.id}/erasure`).set(bearer(sales.token))).status).toBe(
        403,
      );
      expect((await t.http.post(`/api/v1/customers/${c.id}/erasure`).set(bearer(advisor.token))).status).toBe(
        403,
      );
      expect(
        (await t.http.get(`/api/v1/customers/${c.id}`).set(bearer(sales.token))).body.erasedAt,
      ).toBeNull();
    });

    it('anonymises personal data, keeps the row, vehicles and ids, withdraws every purpose and cancels pending messages', async () => {
      const c = await create(sales.token, {
        firstName: 'Sokha',
        lastName: 'Meas',
        email: 'sokha@example.com',
        phone: '012 999 888',
        address: '5 Street 63',
        birthday: '1979-09-09',
        externalId: 'DMS-ERASE',
      });
      await t.db.query(
        `INSERT INTO vehicle (rooftop_id, vin, make, model, year, powertrain, owner_id) VALUES ($1, 'MR0FB8CD3H1234567', 'Toyota', 'Hilux', 2017, 'ice', $2)`,
        [rooftopA, c.id],
      );
      await t.db.query(
        `INSERT INTO outbox_message (dedupe_key, rooftop_id, customer_id, kind, purpose, scheduled_at, next_attempt_at, to_address) VALUES ($1, $2, $3, 'x', 'surveys', now(), now(), 'sokha@example.com')`,
        [`${c.id}:erase`, rooftopA, c.id],
      );
      await t.http
        .post(`/api/v1/customers/${c.id}/interactions`)
        .set(bearer(sales.token))
        .send({ kind: 'note', summary: 'Lives at 5 Street 63', occurredAt: '2026-06-01T00:00:00Z' });

      const res = await t.http.post(`/api/v1/customers/${c.id}/erasure`).set(bearer(manager.token));
      expect(res.status).toBe(200);
      expect(res.body).toMatchObject({
        id: c.id,
        firstName: 'Erased',
        lastName: '',
        email: null,
        phone: null,
        address: null,
        birthday: null,
        externalId: null,
        erasedAt: expect.any(String),
        version: 2,
      });
      const read = await t.http.get(`/api/v1/customers/${c.id}`).set(bearer(sales.token));
      expect(read.status).toBe(200);
      expect(read.body.firstName).toBe('Erased');
      expect(await t.db.query(`SELECT owner_id FROM vehicle WHERE vin = 'MR0FB8CD3H1234567'`)).toEqual([
        { owner_id: c.id },
      ]);

      const consents = await t.http.get(`/api/v1/customers/${c.id}/consents`).set(bearer(sales.token));
      for (const purpose of ['service_reminders', 'follow_ups', 'surveys', 'marketing']) {
        expect(consents.body.current[purpose]).toMatchObject({
          granted: false,
          source: 'erasure',
          default: false,
        });
      }
      expect(
        await t.db.query(`SELECT status, to_address FROM outbox_message WHERE customer_id = $1`, [c.id]),
      ).toEqual([{ status: 'cancelled', to_address: null }]);
      expect(await t.db.query(`SELECT summary FROM interaction WHERE customer_id = $1`, [c.id])).toEqual([
        { summary: '[erased]' },
      ]);
      expect(erasedEvents.map((e) => e.customerId)).toContain(c.id);
      const audit = await t.db.query(
        `SELECT actor_id, fields FROM audit_log WHERE entity_id = $1 AND action = 'customer.erased'`,
        [c.id],
      );
      expect(audit).toEqual([
        { actor_id: manager.id, fields: expect.arrayContaining(['email', 'phone', 'externalId']) },
      ]);

      const patch = await t.http
        .patch(`/api/v1/customers/${c.id}`)
        .set(bearer(sales.token))
        .set('If-Match', '"2"')
        .send({ firstName: 'Back' });
      expect(patch.status).toBe(409);
      expect(patch.body.code).toBe('customer_erased');
      expect((await t.http.post(`/api/v1/customers/${c.id}/erasure`).set(bearer(admin.token))).status).toBe(
        409,
      );
      expect(
        (
          await t.http
            .post(`/api/v1/customers/${c.id}/consents`)
            .set(bearer(sales.token))
            .send({ purpose: 'marketing', granted: true, source: 'x' })
        ).status,
      ).toBe(409);
    });
  });

  describe('erasure of free text', () => {
    const Z = {
      firstName: 'Zephyrine',
      lastName: 'Quillfeather',
      email: 'zephyrine.q@mailhost.example',
      phone: '+85512777888',
      address: '77 Needlework Street',
      externalId: 'DMS-ZEPH-77',
    };
    /** Everything that names her: every free text below mentions her first name. */
    const NEEDLES = [
      Z.firstName,
      Z.lastName,
      Z.email,
      Z.email.split('@')[0],
      Z.phone,
      Z.phone.slice(1),
      '12777888',
      Z.address,
      Z.externalId,
    ].map((n) => n.toLowerCase());

    /** Every (table.column, text) of every text, text[], json and jsonb column of every table. */
    async function findInDatabase(): Promise<string[]> {
      const columns: { table_name: string; column_name: string }[] = await t.db.query(
        `SELECT c.table_name, c.column_name FROM information_schema.columns c
           JOIN information_schema.tables tb ON tb.table_name = c.table_name AND tb.table_schema = c.table_schema
          WHERE c.table_schema = 'public' AND tb.table_type = 'BASE TABLE'
            AND (c.data_type IN ('text', 'character varying', 'character', 'json', 'jsonb')
                 OR (c.data_type = 'ARRAY' AND c.udt_name IN ('_text', '_varchar')))
          ORDER BY 1, 2`,
      );
      const found: string[] = [];
      for (const { table_name: table, column_name: column } of columns) {
        const rows: { v: string }[] = await t.db.query(
          `SELECT "${column}"::text AS v FROM "${table}" WHERE "${column}" IS NOT NULL`,
        );
        for (const { v } of rows) {
          const lower = v.toLowerCase();
          const hit = NEEDLES.find((n) => lower.includes(n));
          if (hit) found.push(`${table}.${column}: ${hit} in ${v.slice(0, 120)}`);
        }
      }
      return found;
    }

    it('leaves nothing she wrote or that names her in any text or json column of any table', async () => {
      const as = bearer(manager.token);
      const ok = async (what: string, req: PromiseLike<{ status: number; body: unknown }>) => {
        const res = await req;
        if (res.status >= 300) throw new Error(`${what}: ${res.status} ${JSON.stringify(res.body)}`);
        return res.body as { id: string; version: number };
      };
      const c = await create(manager.token, Z);
      const other = await create(manager.token, { firstName: 'Previous', lastName: 'Owner' });
      await ok(
        'interaction',
        t.http
          .post(`/api/v1/customers/${c.id}/interactions`)
          .set(as)
          .send({
            kind: 'call',
            summary: `${Z.firstName} asked for a quote`,
            occurredAt: '2026-06-01T00:00:00Z',
          }),
      );
      // A vehicle she bought privately (the transfer's reason names her), a reading with a note about her.
      const vehicle = await ok(
        'vehicle',
        t.http.post('/api/v1/vehicles').set(as).send({
          rooftopId: rooftopA,
          vin: 'WVWZZZ1JZXW000777',
          make: 'Toyota',
          model: 'Yaris',
          year: 2022,
          powertrain: 'ice',
          ownerId: other.id,
          purchaseDate: '2026-01-10',
        }),
      );
      await ok(
        'transfer',
        t.http
          .post(`/api/v1/vehicles/${vehicle.id}/transfer`)
          .set(as)
          .send({
            newOwnerId: c.id,
            at: '2026-03-01T00:00:00Z',
            reason: `${Z.firstName} bought it privately`,
          }),
      );
      await ok(
        'odometer reading',
        t.http
          .post(`/api/v1/vehicles/${vehicle.id}/odometer-readings`)
          .set(as)
          .send({
            value: 3_000,
            readAt: '2026-05-01T00:00:00Z',
            note: `${Z.firstName} read it off the dash`,
          }),
      );
      // Service visits: free-text lines about her, and a visit voided for a reason that names her.
      const visit = (roNumber: string) =>
        ok(
          'visit',
          t.http
            .post('/api/v1/service-visits')
            .set(as)
            .send({
              rooftopId: rooftopA,
              vehicleId: vehicle.id,
              roNumber,
              visitDate: '2026-06-01T02:00:00Z',
              odometer: 3_500,
              lines: [
                {
                  description: `Fitted ${Z.firstName}'s roof rack`,
                  labourAmount: 10,
                  partsAmount: 0,
                  payType: 'customer',
                },
              ],
              declinedLines: [{ description: `${Z.firstName} declined tinted windows`, estimateAmount: 80 }],
            }),
        );
      await visit('RO-Z-1');
      const voided = await visit('RO-Z-2');
      await ok(
        'void',
        t.http
          .post(`/api/v1/service-visits/${voided.id}/void`)
          .set(as)
          .send({ reason: `${Z.firstName} asked to cancel` }),
      );
      // A survey she answered with a comment (a detractor: a complaint opens by itself).
      const [survey] = await t.db.query(
        `INSERT INTO survey (kind, rooftop_id, customer_id, dedupe_key, language, issued_at, expires_at)
         VALUES ('sale', $1, $2, 'erasure-test', 'en', '2026-06-14T03:00:00Z', '2026-07-14T03:00:00Z') RETURNING id`,
        [rooftopA, c.id],
      );
      const token = t.app.get(LinkSigner).sign('survey', { s: survey.id, c: c.id });
      await ok(
        'survey answer',
        t.http
          .post(`/api/v1/surveys/${token}`)
          .send({ nps: 2, csat: 1, comment: `${Z.firstName} here, write to ${Z.email} or call ${Z.phone}` }),
      );
      // A complaint staff opened, its notes, resolution and reopening.
      const complaint = await ok(
        'complaint',
        t.http
          .post('/api/v1/complaints')
          .set(as)
          .send({ customerId: c.id, source: 'call', summary: `${Z.firstName} says the car smells of smoke` }),
      );
      const cp = `/api/v1/complaints/${complaint.id}`;
      await ok(
        'note',
        t.http
          .post(`${cp}/notes`)
          .set(as)
          .send({ body: `Phoned ${Z.firstName} back` }),
      );
      await ok('acknowledge', t.http.post(`${cp}/acknowledge`).set(as));
      await ok(
        'resolve',
        t.http
          .post(`${cp}/resolve`)
          .set(as)
          .send({ resolution: `${Z.firstName} accepted a valet` }),
      );
      await ok(
        'reopen',
        t.http
          .post(`${cp}/reopen`)
          .set(as)
          .send({ reason: `${Z.firstName} called again` }),
      );
      // A task about her, done with an outcome that names her.
      const task = await ok(
        'task',
        t.http
          .post('/api/v1/tasks')
          .set(as)
          .send({
            customerId: c.id,
            title: `Call ${Z.firstName} about the valet`,
            dueAt: '2026-06-20T03:00:00Z',
            assigneeId: manager.id,
          }),
      );
      await ok(
        'complete',
        t.http
          .post(`/api/v1/tasks/${task.id}/complete`)
          .set(as)
          .send({ outcome: `${Z.firstName} is happy` }),
      );
      // A message to her that failed, the mail server quoting her address.
      const [message] = await t.db.query(
        `INSERT INTO outbox_message (dedupe_key, rooftop_id, customer_id, kind, purpose, payload, scheduled_at, next_attempt_at,
                                     status, to_address, subject, text_body, last_error)
         VALUES ('erasure-test:1', $1, $2, 'thank_you', 'follow_ups', $3, now(), now(), 'failed', $4, $5, $5, $6) RETURNING id`,
        [
          rooftopA,
          c.id,
          JSON.stringify({ firstName: Z.firstName }),
          Z.email,
          `Thank you, ${Z.firstName}`,
          `550 5.1.1 <${Z.email}>: mailbox unavailable`,
        ],
      );
      await t.db.query(
        `INSERT INTO message_attempt (message_id, attempt, fence, worker, started_at, finished_at, outcome, smtp_code, error)
         VALUES ($1, 1, 1, 'test', now(), now(), 'failed', 550, $2)`,
        [message.id, `550 5.1.1 <${Z.email}>: mailbox unavailable`],
      );
      // Loyalty: a manager's adjustment and a redemption whose reasons name her (ledger, redemption, stored answers).
      await ok(
        'adjustment',
        t.http
          .post(`/api/v1/customers/${c.id}/loyalty/adjustments`)
          .set(as)
          .set('Idempotency-Key', 'erasure-test-adjustment')
          .send({ points: 500, reason: `Welcome points for ${Z.firstName}` }),
      );
      await ok(
        'redemption',
        t.http
          .post(`/api/v1/customers/${c.id}/loyalty/redemptions`)
          .set(as)
          .set('Idempotency-Key', 'erasure-test-redemption')
          .send({ points: 100, reason: `${Z.firstName} took a car wash` }),
      );
      const ledgerBefore = await t.db.query(
        `SELECT type, points, balance_after, source, idempotency_key, occurred_at FROM loyalty_entry
          WHERE customer_id = $1 ORDER BY id`,
        [c.id],
      );
      expect((await findInDatabase()).length).toBeGreaterThan(15);

      expect((await t.http.post(`/api/v1/customers/${c.id}/erasure`).set(as)).status).toBe(200);
      expect(await findInDatabase()).toEqual([]);
      // The records stay for statistics: the survey's scores, the complaint, the visits and their amounts.
      expect(await t.db.query(`SELECT nps, csat FROM survey WHERE id = $1`, [survey.id])).toEqual([
        { nps: 2, csat: 1 },
      ]);
      expect(await count(`complaint_case WHERE customer_id = '${c.id}'`)).toBe(2);
      expect(
        await count(
          `service_visit_line l JOIN service_visit v ON v.id = l.service_visit_id WHERE v.customer_id = '${c.id}'`,
        ),
      ).toBe(4);
      // The loyalty statement keeps every movement; only the reasons staff wrote are blanked.
      expect(
        await t.db.query(
          `SELECT type, points, balance_after, source, idempotency_key, occurred_at FROM loyalty_entry
            WHERE customer_id = $1 ORDER BY id`,
          [c.id],
        ),
      ).toEqual(ledgerBefore);
      expect(
        await t.db.query(
          `SELECT reason FROM loyalty_entry WHERE customer_id = $1 AND source IN ('manager', 'redemption')`,
          [c.id],
        ),
      ).toEqual([{ reason: '[erased]' }, { reason: '[erased]' }]);
    });
  });

  describe('360 view', () => {
    it('shows the customer, current consents, vehicles, recent interactions, messages and visits', async () => {
      const c = await create(sales.token, { firstName: 'Whole', email: 'whole@example.com' });
      await t.db.query(
        `INSERT INTO vehicle (rooftop_id, vin, make, model, year, powertrain, owner_id, purchase_date) VALUES ($1, '5YJ3E1EA7KF317000', 'Tesla', 'Model 3', 2019, 'ev', $2, '2024-01-10')`,
        [rooftopA, c.id],
      );
      await t.http
        .post(`/api/v1/customers/${c.id}/interactions`)
        .set(bearer(sales.token))
        .send({ kind: 'call', summary: 'Checked in', occurredAt: '2026-06-10T00:00:00Z' });
      await t.db.query(
        `INSERT INTO outbox_message (dedupe_key, rooftop_id, customer_id, kind, purpose, scheduled_at, next_attempt_at) VALUES ($1, $2, $3, 'sale_thank_you', 'follow_ups', '2026-06-16T02:00:00Z', now())`,
        [`${c.id}:360`, rooftopA, c.id],
      );
      const res = await t.http.get(`/api/v1/customers/${c.id}/360`).set(bearer(advisor.token));
      expect(res.status).toBe(200);
      expect(res.body.customer).toMatchObject({ id: c.id, firstName: 'Whole' });
      expect(res.body.consents.marketing).toMatchObject({ granted: false, default: true });
      expect(res.body.vehicles).toEqual([
        expect.objectContaining({
          vin: '5YJ3E1EA7KF317000',
          make: 'Tesla',
          powertrain: 'ev',
          purchaseDate: '2024-01-10',
        }),
      ]);
      expect(res.body.recentInteractions).toEqual([
        expect.objectContaining({ kind: 'call', summary: 'Checked in' }),
      ]);
      expect(res.body.recentMessages).toEqual([
        expect.objectContaining({
          kind: 'sale_thank_you',
          status: 'pending',
          scheduledAt: '2026-06-16T02:00:00.000Z',
          sentAt: null,
        }),
      ]);
      expect(Array.isArray(res.body.recentVisits)).toBe(true);
    });
  });
});
