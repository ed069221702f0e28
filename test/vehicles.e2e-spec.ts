import { DomainEventMap, DomainEvents } from '../src/common/domain-events';
import { bearer, startTestApp, TestApp } from './support/test-app';
import { createVehicle, insertCustomer, nextVin } from './support/vehicle-fixtures';

type User = { id: string; token: string };

describe('vehicles', () => {
  let t: TestApp;
  let a: string;
  let b: string;
  let admin: User;
  let manager: User;
  let sales: User;
  let salesB: User;
  let customerA: string;
  let customerA2: string;
  let customerB: string;
  const sold: DomainEventMap['vehicle.sold'][] = [];
  const ownershipChanges: DomainEventMap['vehicle.ownership_changed'][] = [];

  const count = async (table: string) =>
    (await t.db.query(`SELECT count(*)::int AS n FROM ${table}`))[0].n as number;

  beforeAll(async () => {
    t = await startTestApp({ now: '2026-06-15T03:00:00Z' });
    const events = t.app.get(DomainEvents);
    events.on('vehicle.sold', async (_m, p) => void sold.push(p));
    events.on('vehicle.ownership_changed', async (_m, p) => void ownershipChanges.push(p));
    a = (await t.rooftop({ name: 'Phnom Penh Motors' })).id;
    b = (await t.rooftop({ name: 'Vientiane Auto', timeZone: 'Asia/Vientiane' })).id;
    admin = await t.user('admin');
    manager = await t.user('manager', [a]);
    sales = await t.user('salesperson', [a]);
    salesB = await t.user('salesperson', [b]);
    customerA = await insertCustomer(t, a);
    customerA2 = await insertCustomer(t, a);
    customerB = await insertCustomer(t, b);
  });
  afterAll(() => t.close());

  describe('VIN and create', () => {
    it('creates a sold vehicle: ownership, purchase odometer reading and vehicle.sold in one go', async () => {
      const before = sold.length;
      const vin = nextVin();
      const res = await t.http.post('/api/v1/vehicles').set(bearer(sales.token)).send({
        rooftopId: a,
        vin: vin.toLowerCase(),
        make: 'Toyota',
        model: 'Corolla Cross',
        year: 2025,
        powertrain: 'hybrid',
        ownerId: customerA,
        purchaseDate: '2026-05-20',
        purchaseType: 'finance',
        purchaseOdometer: 12,
        soldById: sales.id,
        sellingRooftopId: a,
        termEndDate: '2030-05-20',
        warrantyEndDate: '2029-05-20',
        warrantyEndDistance: 100000,
      });
      expect(res.status).toBe(201);
      expect(res.headers.etag).toBe('"1"');
      expect(res.body).toMatchObject({
        vin,
        ownerId: customerA,
        status: 'active',
        version: 1,
        warnings: [],
        purchaseDate: '2026-05-20',
      });
      const id = res.body.id;
      const ownerships = await t.db.query(
        `SELECT customer_id, started_at, ended_at FROM vehicle_ownership WHERE vehicle_id = $1`,
        [id],
      );
      // The purchase date starts at midnight in the rooftop's time zone (Asia/Phnom_Penh, UTC+7).
      expect(ownerships).toEqual([
        { customer_id: customerA, started_at: new Date('2026-05-19T17:00:00Z'), ended_at: null },
      ]);
      const readings = await t.db.query(`SELECT value, source FROM odometer_reading WHERE vehicle_id = $1`, [
        id,
      ]);
      expect(readings).toEqual([{ value: 12, source: 'sale' }]);
      expect(sold.slice(before)).toEqual([
        {
          vehicleId: id,
          customerId: customerA,
          rooftopId: a,
          soldById: sales.id,
          purchaseDate: '2026-05-20',
          purchaseType: 'finance',
        },
      ]);
    });

    it('accepts a European VIN whose position 9 is not a check digit, with a warning', async () => {
      const res = await t.http.post('/api/v1/vehicles').set(bearer(sales.token)).send({
        rooftopId: a,
        vin: 'WVWZZZ1JZXW000001',
        make: 'Volkswagen',
        model: 'Golf',
        year: 1999,
        powertrain: 'ice',
      });
      expect(res.status).toBe(201);
      expect(res.body.warnings).toEqual([expect.stringMatching(/check digit/)]);
      const again = await t.http.get(`/api/v1/vehicles/${res.body.id}`).set(bearer(sales.token));
      expect(again.body.warnings).toHaveLength(1);
    });

    it('rejects bad input naming every field and writes nothing', async () => {
      const before = await count('vehicle');
      const res = await t.http.post('/api/v1/vehicles').set(bearer(sales.token)).send({
        rooftopId: 'nope',
        vin: 42,
        make: '',
        year: 1800,
        powertrain: 'diesel',
        purchaseDate: '2026-02-30',
        colour: 'red',
      });
      expect(res.status).toBe(400);
      expect(res.headers['content-type']).toMatch(/application\/problem\+json/);
      const fields = [...new Set(res.body.errors.map((e: { field: string }) => e.field))].sort();
      expect(fields).toEqual([
        'colour',
        'make',
        'model',
        'powertrain',
        'purchaseDate',
        'rooftopId',
        'vin',
        'year',
      ]);
      expect(await count('vehicle')).toBe(before);
    });

    it.each([
      ['contains I, O or Q', '1M8GDM9AXKP04278Q', /I, O or Q/],
      ['is not 17 characters', '1M8GDM9AXKP0427', /17 characters/],
      ['has a wrong North-American check digit', '1M8GDM9A1KP042788', /check digit/],
    ])('rejects a VIN that %s with 400 naming vin', async (_what, vin, message) => {
      const before = await count('vehicle');
      const res = await t.http
        .post('/api/v1/vehicles')
        .set(bearer(sales.token))
        .send({ rooftopId: a, vin, make: 'Ford', model: 'Ranger', year: 2024, powertrain: 'ice' });
      expect(res.status).toBe(400);
      expect(res.body.errors).toEqual([{ field: 'vin', message: expect.stringMatching(message) }]);
      expect(await count('vehicle')).toBe(before);
    });

    it('answers 409 to a duplicate VIN, whatever its case', async () => {
      const vin = nextVin();
      await createVehicle(t, sales.token, { rooftopId: a, vin });
      const res = await t.http.post('/api/v1/vehicles').set(bearer(salesB.token)).send({
        rooftopId: b,
        vin: vin.toLowerCase(),
        make: 'Ford',
        model: 'Ranger',
        year: 2024,
        powertrain: 'ice',
      });
      expect(res.status).toBe(409);
      expect(res.body.code).toBe('duplicate_vin');
    });

    it('refuses an owner the user cannot see and a rooftop not granted (404), a future purchase date, writing nothing', async () => {
      const before = [
        await count('vehicle'),
        await count('vehicle_ownership'),
        await count('odometer_reading'),
      ];
      const base = { vin: nextVin(), make: 'Ford', model: 'Ranger', year: 2024, powertrain: 'ice' };
      const hidden = await t.http
        .post('/api/v1/vehicles')
        .set(bearer(sales.token))
        .send({ ...base, rooftopId: a, ownerId: customerB, purchaseDate: '2026-06-01' });
      expect(hidden.status).toBe(404);
      expect(hidden.body.errors).toEqual([{ field: 'ownerId', message: expect.any(String) }]);
      const otherRooftop = await t.http
        .post('/api/v1/vehicles')
        .set(bearer(sales.token))
        .send({ ...base, rooftopId: b });
      expect(otherRooftop.status).toBe(404);
      expect(otherRooftop.body.errors[0].field).toBe('rooftopId');
      const future = await t.http
        .post('/api/v1/vehicles')
        .set(bearer(sales.token))
        .send({ ...base, rooftopId: a, ownerId: customerA, purchaseDate: '2026-06-16' });
      expect(future.status).toBe(400);
      expect(future.body.errors[0].field).toBe('purchaseDate');
      expect([
        await count('vehicle'),
        await count('vehicle_ownership'),
        await count('odometer_reading'),
      ]).toEqual(before);
    });
  });

  describe('read and update', () => {
    it('lists vehicles of the caller’s rooftops with filters and cursor pages', async () => {
      const owner = await insertCustomer(t, a);
      const v1 = await createVehicle(t, sales.token, { rooftopId: a, ownerId: owner });
      const v2 = await createVehicle(t, sales.token, { rooftopId: a, ownerId: owner });
      const vb = await createVehicle(t, salesB.token, { rooftopId: b });

      const page1 = await t.http.get(`/api/v1/vehicles?ownerId=${owner}&limit=1`).set(bearer(sales.token));
      expect(page1.status).toBe(200);
      expect(page1.body.items.map((v: { id: string }) => v.id)).toEqual([v1.id]);
      expect(page1.body.nextCursor).toEqual(expect.any(String));
      const page2 = await t.http
        .get(`/api/v1/vehicles?ownerId=${owner}&limit=1&cursor=${page1.body.nextCursor}`)
        .set(bearer(sales.token));
      expect(page2.body).toEqual({ items: [expect.objectContaining({ id: v2.id })], nextCursor: null });

      const all = await t.http.get('/api/v1/vehicles?limit=200').set(bearer(sales.token));
      const ids = all.body.items.map((v: { id: string }) => v.id);
      expect(ids).toEqual(expect.arrayContaining([v1.id, v2.id]));
      expect(ids).not.toContain(vb.id);

      const byVin = await t.http.get(`/api/v1/vehicles?vin=${v2.vin.toLowerCase()}`).set(bearer(sales.token));
      expect(byVin.body.items.map((v: { id: string }) => v.id)).toEqual([v2.id]);
      const byPart = await t.http.get(`/api/v1/vehicles?vin=${v2.vin.slice(-6)}`).set(bearer(sales.token));
      expect(byPart.body.items.map((v: { id: string }) => v.id)).toEqual([v2.id]);

      expect((await t.http.get('/api/v1/vehicles?limit=0&cursor=%%%').set(bearer(sales.token))).status).toBe(
        400,
      );
    });

    it('updates with If-Match: 428 without it, 412 when stale, 200 and a new version otherwise', async () => {
      const v = await createVehicle(t, sales.token, { rooftopId: a });
      const url = `/api/v1/vehicles/${v.id}`;
      expect((await t.http.patch(url).set(bearer(sales.token)).send({ model: 'Yaris' })).status).toBe(428);
      const ok = await t.http
        .patch(url)
        .set(bearer(sales.token))
        .set('If-Match', '"1"')
        .send({ model: 'Yaris', warrantyEndDate: '2030-01-31' });
      expect(ok.status).toBe(200);
      expect(ok.body).toMatchObject({ model: 'Yaris', warrantyEndDate: '2030-01-31', version: 2 });
      expect(ok.headers.etag).toBe('"2"');
      const stale = await t.http
        .patch(url)
        .set(bearer(sales.token))
        .set('If-Match', '"1"')
        .send({ model: 'Vios' });
      expect(stale.status).toBe(412);
      expect(stale.body.currentVersion).toBe(2);
      const cleared = await t.http
        .patch(url)
        .set(bearer(sales.token))
        .set('If-Match', '2')
        .send({ warrantyEndDate: null, status: 'scrapped' });
      expect(cleared.body).toMatchObject({ warrantyEndDate: null, status: 'scrapped', version: 3 });
    });

    it('refuses a bad update naming the fields and changes nothing', async () => {
      const v = await createVehicle(t, sales.token, { rooftopId: a });
      const res = await t.http
        .patch(`/api/v1/vehicles/${v.id}`)
        .set(bearer(sales.token))
        .set('If-Match', '"1"')
        .send({ make: null, status: 'stolen', ownerId: customerA, vin: '1M8GDM9A1KP042788' });
      expect(res.status).toBe(400);
      expect([...new Set(res.body.errors.map((e: { field: string }) => e.field))].sort()).toEqual([
        'make',
        'ownerId',
        'status',
      ]);
      const badVin = await t.http
        .patch(`/api/v1/vehicles/${v.id}`)
        .set(bearer(sales.token))
        .set('If-Match', '"1"')
        .send({ vin: '1M8GDM9A1KP042788' });
      expect(badVin.status).toBe(400);
      expect((await t.http.get(`/api/v1/vehicles/${v.id}`).set(bearer(sales.token))).body).toMatchObject({
        version: 1,
        make: 'Toyota',
        status: 'active',
      });
    });

    it('answers 409 when an update takes another vehicle’s VIN', async () => {
      const v1 = await createVehicle(t, sales.token, { rooftopId: a });
      const v2 = await createVehicle(t, sales.token, { rooftopId: a });
      const res = await t.http
        .patch(`/api/v1/vehicles/${v2.id}`)
        .set(bearer(sales.token))
        .set('If-Match', '"1"')
        .send({ vin: v1.vin });
      expect(res.status).toBe(409);
    });
  });

  describe('transfer', () => {
    it('ends the old ownership, starts the new one, keeps the history and emits the events', async () => {
      const v = await createVehicle(t, sales.token, {
        rooftopId: a,
        ownerId: customerA,
        purchaseDate: '2024-03-01',
        purchaseType: 'new',
        purchaseOdometer: 5,
      });
      const eventsBefore = ownershipChanges.length;
      const soldBefore = sold.length;
      const res = await t.http
        .post(`/api/v1/vehicles/${v.id}/transfer`)
        .set(bearer(sales.token))
        .send({
          newOwnerId: customerA2,
          reason: 'Traded in and resold',
          sale: { purchaseDate: '2026-06-10', purchaseType: 'used', soldById: sales.id, odometer: 45210 },
        });
      expect(res.status).toBe(201);
      expect(res.body).toMatchObject({
        ownerId: customerA2,
        purchaseDate: '2026-06-10',
        purchaseType: 'used',
        purchaseOdometer: 45210,
        version: 2,
      });

      const history = await t.http.get(`/api/v1/vehicles/${v.id}/ownerships`).set(bearer(sales.token));
      expect(history.status).toBe(200);
      const at = '2026-06-09T17:00:00.000Z';
      expect(history.body.items).toEqual([
        expect.objectContaining({
          customerId: customerA,
          startedAt: '2024-02-29T17:00:00.000Z',
          endedAt: at,
        }),
        expect.objectContaining({
          customerId: customerA2,
          startedAt: at,
          endedAt: null,
          reason: 'Traded in and resold',
        }),
      ]);
      expect(ownershipChanges.slice(eventsBefore)).toEqual([
        { vehicleId: v.id, previousOwnerId: customerA, newOwnerId: customerA2, at: new Date(at) },
      ]);
      expect(sold.slice(soldBefore)).toEqual([
        expect.objectContaining({ vehicleId: v.id, customerId: customerA2, purchaseType: 'used' }),
      ]);
      const readings = await t.http
        .get(`/api/v1/vehicles/${v.id}/odometer-readings`)
        .set(bearer(sales.token));
      expect(readings.body.items.map((r: { value: number; source: string }) => [r.value, r.source])).toEqual([
        [45210, 'sale'],
        [5, 'sale'],
      ]);
    });

    it('transfers without a sale (a private sale) and emits no vehicle.sold', async () => {
      const v = await createVehicle(t, sales.token, {
        rooftopId: a,
        ownerId: customerA,
        purchaseDate: '2026-01-02',
      });
      const soldBefore = sold.length;
      const res = await t.http
        .post(`/api/v1/vehicles/${v.id}/transfer`)
        .set(bearer(sales.token))
        .send({ newOwnerId: customerA2, at: '2026-06-14T00:00:00Z' });
      expect(res.status).toBe(201);
      expect(sold.length).toBe(soldBefore);
      expect(ownershipChanges.at(-1)).toMatchObject({
        vehicleId: v.id,
        previousOwnerId: customerA,
        newOwnerId: customerA2,
      });
    });

    it('refuses a bad transfer and changes nothing', async () => {
      const v = await createVehicle(t, sales.token, { rooftopId: a, ownerId: customerA });
      const url = `/api/v1/vehicles/${v.id}/transfer`;
      const bad = await t.http
        .post(url)
        .set(bearer(sales.token))
        .send({ newOwnerId: 'x', sale: { purchaseType: 'barter' } });
      expect(bad.status).toBe(400);
      expect([...new Set(bad.body.errors.map((e: { field: string }) => e.field))].sort()).toEqual([
        'newOwnerId',
        'sale.odometer',
        'sale.purchaseDate',
        'sale.purchaseType',
      ]);
      expect((await t.http.post(url).set(bearer(sales.token)).send({ newOwnerId: customerA })).status).toBe(
        422,
      );
      expect(
        (await t.http.post(url).set(bearer(sales.token)).send({ newOwnerId: customerB })).body.errors[0]
          .field,
      ).toBe('newOwnerId');
      expect(
        (
          await t.http
            .post(url)
            .set(bearer(sales.token))
            .send({ newOwnerId: customerA2, at: '2026-07-01T00:00:00Z' })
        ).status,
      ).toBe(400);
      const rows = await t.db.query(
        `SELECT customer_id, ended_at FROM vehicle_ownership WHERE vehicle_id = $1`,
        [v.id],
      );
      expect(rows).toEqual([{ customer_id: customerA, ended_at: null }]);
    });
  });

  describe('odometer readings', () => {
    let vehicleId: string;
    const post = (token: string, body: Record<string, unknown>) =>
      t.http.post(`/api/v1/vehicles/${vehicleId}/odometer-readings`).set(bearer(token)).send(body);

    beforeAll(async () => {
      vehicleId = (await createVehicle(t, sales.token, { rooftopId: a })).id;
      expect(
        (await post(sales.token, { value: 10_000, readAt: '2026-06-01T00:00:00Z', source: 'customer' }))
          .status,
      ).toBe(201);
    });

    it('refuses a reading lower than the previous one, naming the previous reading', async () => {
      const res = await post(sales.token, { value: 9_000, readAt: '2026-06-05T00:00:00Z' });
      expect(res.status).toBe(422);
      expect(res.body).toMatchObject({
        code: 'odometer_rejected',
        reason: 'backwards',
        previousReading: { value: 10000 },
      });
      expect(res.body.detail).toContain('10,000 km on 2026-06-01T00:00:00.000Z');
      expect(res.body.errors[0].field).toBe('value');
    });

    it('refuses a jump over 2,000 km a day and allows one day’s worth on the same day', async () => {
      const jump = await post(sales.token, { value: 30_001, readAt: '2026-06-11T00:00:00Z' });
      expect(jump.status).toBe(422);
      expect(jump.body.reason).toBe('implausible_jump');
      expect((await post(sales.token, { value: 12_000, readAt: '2026-06-01T10:00:00Z' })).status).toBe(201);
      expect((await post(sales.token, { value: 14_001, readAt: '2026-06-01T11:00:00Z' })).status).toBe(422);
    });

    it('refuses a reading in the future', async () => {
      const res = await post(sales.token, { value: 12_500, readAt: '2026-06-15T03:00:01Z' });
      expect(res.status).toBe(422);
      expect(res.body.errors[0].field).toBe('readAt');
    });

    it('lets a manager post a correction with a note (201) and forbids it to a salesperson (403)', async () => {
      const before = await count('odometer_reading');
      expect((await post(sales.token, { value: 500, isCorrection: true, note: 'Typo' })).status).toBe(403);
      const noNote = await post(manager.token, { value: 500, isCorrection: true });
      expect(noNote.status).toBe(400);
      expect(noNote.body.errors[0].field).toBe('note');
      expect(await count('odometer_reading')).toBe(before);
      const ok = await post(manager.token, { value: 500, isCorrection: true, note: 'Cluster replaced' });
      expect(ok.status).toBe(201);
      expect(ok.body).toMatchObject({
        value: 500,
        isCorrection: true,
        source: 'staff',
        recordedBy: manager.id,
      });
      // The correction is the new baseline.
      expect((await post(sales.token, { value: 600 })).status).toBe(201);
    });

    it('rejects bad reading input and reserved sources', async () => {
      const res = await post(sales.token, {
        value: -1,
        readAt: 'yesterday',
        source: 'service_visit',
        isCorrection: 'yes',
      });
      expect(res.status).toBe(400);
      expect(res.body.errors.map((e: { field: string }) => e.field).sort()).toEqual([
        'isCorrection',
        'readAt',
        'source',
        'value',
      ]);
    });

    it('lists readings newest first', async () => {
      const res = await t.http
        .get(`/api/v1/vehicles/${vehicleId}/odometer-readings?limit=2`)
        .set(bearer(sales.token));
      expect(res.status).toBe(200);
      expect(res.body.items).toHaveLength(2);
      expect(res.body.items[0].value).toBe(600);
      const next = await t.http
        .get(`/api/v1/vehicles/${vehicleId}/odometer-readings?limit=2&cursor=${res.body.nextCursor}`)
        .set(bearer(sales.token));
      expect(next.body.items.map((r: { value: number }) => r.value)).toEqual([12_000, 10_000]);
      expect(next.body.nextCursor).toBeNull();
    });
  });

  it('answers 404 on every vehicle route for a rooftop not granted; an admin sees it', async () => {
    const v = await createVehicle(t, salesB.token, { rooftopId: b, ownerId: customerB });
    const id = v.id;
    const s = bearer(sales.token);
    const results = [
      (await t.http.get(`/api/v1/vehicles/${id}`).set(s)).status,
      (await t.http.patch(`/api/v1/vehicles/${id}`).set(s).set('If-Match', '"1"').send({ model: 'X' }))
        .status,
      (await t.http.post(`/api/v1/vehicles/${id}/transfer`).set(s).send({ newOwnerId: customerA })).status,
      (await t.http.get(`/api/v1/vehicles/${id}/ownerships`).set(s)).status,
      (await t.http.get(`/api/v1/vehicles/${id}/odometer-readings`).set(s)).status,
      (await t.http.post(`/api/v1/vehicles/${id}/odometer-readings`).set(s).send({ value: 1 })).status,
    ];
    expect(results).toEqual([404, 404, 404, 404, 404, 404]);
    expect((await t.http.get(`/api/v1/vehicles/${id}`).set(bearer(admin.token))).status).toBe(200);
    expect((await t.http.get('/api/v1/vehicles/not-a-uuid').set(s)).status).toBe(400);
  });
});
