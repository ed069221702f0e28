import { bearer, startTestApp, TestApp } from './support/test-app';

describe('maintenance catalogue API', () => {
  let t: TestApp;
  let manager: { token: string };
  let sales: { token: string };
  beforeAll(async () => {
    t = await startTestApp();
    manager = await t.user('manager');
    sales = await t.user('salesperson');
  });
  afterAll(() => t.close());

  const count = async (table: string) =>
    (await t.db.query(`SELECT count(*)::int AS n FROM ${table}`))[0].n as number;

  it('lists the SPEC defaults to every role, EVs excluded from the oil change', async () => {
    const res = await t.http.get('/api/v1/maintenance-items').set(bearer(sales.token));
    expect(res.status).toBe(200);
    const byCode = Object.fromEntries(res.body.items.map((i: { code: string }) => [i.code, i]));
    expect(Object.keys(byCode).sort()).toEqual(
      [
        'BRAKE_FLUID',
        'BRAKE_INSPECTION',
        'CABIN_AIR_FILTER',
        'COOLANT',
        'ENGINE_AIR_FILTER',
        'EV_BATTERY_CHECK',
        'OIL_CHANGE',
        'SPARK_PLUGS',
        'TIRE_ROTATION',
        'TRANSMISSION_FLUID',
      ].sort(),
    );
    expect(byCode.OIL_CHANGE).toMatchObject({
      intervalKm: 10000,
      intervalMi: 6000,
      intervalMonths: 6,
      appliesTo: ['ice', 'hybrid'],
      overrides: [],
    });
    expect(byCode.BRAKE_FLUID).toMatchObject({
      intervalKm: null,
      intervalMi: null,
      intervalMonths: 24,
      appliesTo: ['ice', 'hybrid', 'ev'],
    });
    expect(byCode.SPARK_PLUGS).toMatchObject({
      intervalKm: 100000,
      intervalMi: 60000,
      intervalMonths: null,
      appliesTo: ['ice'],
    });
    expect(byCode.EV_BATTERY_CHECK).toMatchObject({ appliesTo: ['ev'] });
  });

  it('rejects a bad item with 400 naming the fields and writes nothing', async () => {
    const before = await count('maintenance_item');
    const res = await t.http
      .post('/api/v1/maintenance-items')
      .set(bearer(manager.token))
      .send({ code: 'wiper blades', name: '', appliesTo: ['ice', 'diesel'], intervalKm: -5, color: 'red' });
    expect(res.status).toBe(400);
    expect(res.headers['content-type']).toMatch(/application\/problem\+json/);
    const fields = [...new Set(res.body.errors.map((e: { field: string }) => e.field))].sort();
    expect(fields).toEqual(['appliesTo', 'code', 'color', 'intervalKm', 'name']);
    expect(await count('maintenance_item')).toBe(before);
  });

  it('requires an interval that can fall due', async () => {
    const res = await t.http
      .post('/api/v1/maintenance-items')
      .set(bearer(manager.token))
      .send({ code: 'NOTHING', name: 'Never', appliesTo: ['ice'], intervalKm: 5000 });
    expect(res.status).toBe(400);
    expect(res.body.errors.map((e: { field: string }) => e.field)).toEqual(['intervalMi']);
    const none = await t.http
      .post('/api/v1/maintenance-items')
      .set(bearer(manager.token))
      .send({ code: 'NOTHING', name: 'Never', appliesTo: ['ice'] });
    expect(none.body.errors.map((e: { field: string }) => e.field)).toEqual(['intervalMonths']);
    expect(await count(`maintenance_item WHERE code = 'NOTHING'`)).toBe(0);
  });

  it('forbids a salesperson from changing the catalogue (403)', async () => {
    const before = await count('maintenance_item');
    expect(
      (
        await t.http
          .post('/api/v1/maintenance-items')
          .set(bearer(sales.token))
          .send({ code: 'WIPERS', name: 'Wipers', appliesTo: ['ice'], intervalMonths: 12 })
      ).status,
    ).toBe(403);
    expect(
      (
        await t.http
          .patch('/api/v1/maintenance-items/OIL_CHANGE')
          .set(bearer(sales.token))
          .set('If-Match', '1')
          .send({ intervalMonths: 3 })
      ).status,
    ).toBe(403);
    expect(
      (
        await t.http
          .post('/api/v1/maintenance-items/OIL_CHANGE/overrides')
          .set(bearer(sales.token))
          .send({ make: 'Toyota', intervalMonths: 3 })
      ).status,
    ).toBe(403);
    expect(await count('maintenance_item')).toBe(before);
    expect(await count('maintenance_item_override')).toBe(0);
  });

  it('lets a manager add and change an item with If-Match', async () => {
    const created = await t.http
      .post('/api/v1/maintenance-items')
      .set(bearer(manager.token))
      .send({
        code: 'WIPER_BLADES',
        name: 'Wiper blades',
        appliesTo: ['ice', 'hybrid', 'ev'],
        intervalMonths: 12,
      });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ code: 'WIPER_BLADES', active: true, version: 1, intervalKm: null });
    expect(
      (
        await t.http
          .post('/api/v1/maintenance-items')
          .set(bearer(manager.token))
          .send({ code: 'WIPER_BLADES', name: 'Again', appliesTo: ['ice'], intervalMonths: 1 })
      ).status,
    ).toBe(409);
    const stale = await t.http
      .patch('/api/v1/maintenance-items/WIPER_BLADES')
      .set(bearer(manager.token))
      .set('If-Match', '"7"')
      .send({ intervalMonths: 6 });
    expect(stale.status).toBe(412);
    const updated = await t.http
      .patch('/api/v1/maintenance-items/WIPER_BLADES')
      .set(bearer(manager.token))
      .set('If-Match', '"1"')
      .send({ intervalMonths: 6, name: 'Wipers' });
    expect(updated.status).toBe(200);
    expect(updated.body).toMatchObject({ intervalMonths: 6, name: 'Wipers', version: 2 });
    const cleared = await t.http
      .patch('/api/v1/maintenance-items/WIPER_BLADES')
      .set(bearer(manager.token))
      .set('If-Match', '"2"')
      .send({ intervalMonths: null });
    expect(cleared.status).toBe(400);
    expect(
      (
        await t.http
          .patch('/api/v1/maintenance-items/NO_SUCH')
          .set(bearer(manager.token))
          .set('If-Match', '"1"')
          .send({ intervalMonths: 2 })
      ).status,
    ).toBe(404);
  });

  it('manages overrides per make and per make+model', async () => {
    const make = await t.http
      .post('/api/v1/maintenance-items/OIL_CHANGE/overrides')
      .set(bearer(manager.token))
      .send({ make: 'Toyota', intervalKm: 8000, intervalMi: 5000, intervalMonths: 6 });
    expect(make.status).toBe(201);
    expect(make.body).toMatchObject({
      itemCode: 'OIL_CHANGE',
      make: 'Toyota',
      model: null,
      intervalKm: 8000,
    });
    const model = await t.http
      .post('/api/v1/maintenance-items/OIL_CHANGE/overrides')
      .set(bearer(manager.token))
      .send({ make: 'Toyota', model: 'Hilux', intervalMonths: 3 });
    expect(model.status).toBe(201);
    const dup = await t.http
      .post('/api/v1/maintenance-items/OIL_CHANGE/overrides')
      .set(bearer(manager.token))
      .send({ make: 'TOYOTA', model: 'hilux', intervalMonths: 4 });
    expect(dup.status).toBe(409);
    const bad = await t.http
      .post('/api/v1/maintenance-items/OIL_CHANGE/overrides')
      .set(bearer(manager.token))
      .send({ make: '', intervalMonths: 0 });
    expect(bad.status).toBe(400);
    expect(bad.body.errors.map((e: { field: string }) => e.field).sort()).toEqual(['intervalMonths', 'make']);
    expect(
      (
        await t.http
          .post('/api/v1/maintenance-items/NO_SUCH/overrides')
          .set(bearer(manager.token))
          .send({ make: 'Kia', intervalMonths: 3 })
      ).status,
    ).toBe(404);

    const listed = await t.http.get('/api/v1/maintenance-items/OIL_CHANGE').set(bearer(sales.token));
    expect(listed.body.overrides).toHaveLength(2);

    const patched = await t.http
      .patch(`/api/v1/maintenance-items/OIL_CHANGE/overrides/${model.body.id}`)
      .set(bearer(manager.token))
      .set('If-Match', '"1"')
      .send({ active: false });
    expect(patched.status).toBe(200);
    expect(patched.body).toMatchObject({ active: false, version: 2 });
    expect(
      (
        await t.http
          .delete(`/api/v1/maintenance-items/OIL_CHANGE/overrides/${model.body.id}`)
          .set(bearer(manager.token))
      ).status,
    ).toBe(204);
    expect(
      (
        await t.http
          .delete(`/api/v1/maintenance-items/OIL_CHANGE/overrides/${model.body.id}`)
          .set(bearer(manager.token))
      ).status,
    ).toBe(404);
    expect(await count('maintenance_item_override')).toBe(1);
  });
});
