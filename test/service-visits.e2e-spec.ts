import { DomainEventMap, DomainEvents } from '../src/common/domain-events';
import { bearer, startTestApp, TestApp } from './support/test-app';
import { createVehicle, insertCustomer } from './support/vehicle-fixtures';

type User = { id: string; token: string };

describe('service visits', () => {
  let t: TestApp;
  let a: string;
  let b: string;
  let advisor: User;
  let manager: User;
  let sales: User;
  let advisorB: User;
  let customer: string;
  const closed: DomainEventMap['service_visit.closed'][] = [];
  const voided: DomainEventMap['service_visit.voided'][] = [];
  /** maintenance_performed rows the closing transaction had written when the event fired. */
  const performedAtEmit: number[] = [];
  let failListener = false;

  const count = async (table: string, where = 'true', params: unknown[] = []) =>
    (await t.db.query(`SELECT count(*)::int AS n FROM ${table} WHERE ${where}`, params))[0].n as number;

  let roSeq = 0;
  const ro = () => `RO-${++roSeq}`;

  /** A vehicle of rooftop A owned by `customer`, first read at 10 km on 2026-01-10. */
  const vehicle = async () => {
    const { id } = await createVehicle(t, manager.token, { rooftopId: a, ownerId: customer });
    const reading = await t.http
      .post(`/api/v1/vehicles/${id}/odometer-readings`)
      .set(bearer(manager.token))
      .send({ value: 10, readAt: '2026-01-10T00:00:00Z' });
    expect(reading.status).toBe(201);
    return id;
  };

  const visitBody = (vehicleId: string, extra: Record<string, unknown> = {}) => ({
    rooftopId: a,
    vehicleId,
    roNumber: ro(),
    visitDate: '2026-06-01T02:00:00Z',
    odometer: 8_000,
    lines: [
      { itemCode: 'OIL_CHANGE', labourAmount: 25, partsAmount: 38.5, payType: 'customer' },
      {
        itemCode: 'TIRE_ROTATION',
        description: 'Rotate and balance',
        labourAmount: 15.1,
        partsAmount: 0.2,
        payType: 'customer',
      },
      { itemCode: 'BRAKE_INSPECTION', labourAmount: 40, partsAmount: 0, payType: 'warranty' },
      { description: 'Car wash', labourAmount: 5, partsAmount: 0, payType: 'internal' },
    ],
    declinedLines: [
      { itemCode: 'BRAKE_FLUID', estimateAmount: 45 },
      { description: 'Wiper blades', estimateAmount: 12.5 },
    ],
    ...extra,
  });

  beforeAll(async () => {
    t = await startTestApp({ now: '2026-06-15T03:00:00Z' });
    const events = t.app.get(DomainEvents);
    events.on('service_visit.closed', async (m, p) => {
      closed.push(p);
      performedAtEmit.push(
        (
          await m.query(`SELECT count(*)::int AS n FROM maintenance_performed WHERE service_visit_id = $1`, [
            p.visitId,
          ])
        )[0].n,
      );
      if (failListener) throw new Error('listener failed on purpose');
    });
    events.on('service_visit.voided', async (_m, p) => void voided.push(p));
    a = (await t.rooftop()).id;
    b = (await t.rooftop()).id;
    advisor = await t.user('service_advisor', [a]);
    manager = await t.user('manager', [a]);
    sales = await t.user('salesperson', [a]);
    advisorB = await t.user('service_advisor', [b]);
    customer = await insertCustomer(t, a);
  });
  afterAll(() => t.close());

  it('logs and closes a visit in one go: totals, odometer, maintenance performed and the event', async () => {
    const vehicleId = await vehicle();
    const res = await t.http
      .post('/api/v1/service-visits')
      .set(bearer(advisor.token))
      .send(visitBody(vehicleId, { close: true }));
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({
      vehicleId,
      customerId: customer,
      advisorId: advisor.id,
      status: 'closed',
      closedAt: '2026-06-15T03:00:00.000Z',
      customerPayAmount: 78.8,
      warrantyAmount: 40,
      internalAmount: 5,
      odometer: 8000,
    });
    expect(res.body.lines.map((l: { description: string }) => l.description)).toEqual([
      'Oil and filter change',
      'Rotate and balance',
      'Brake inspection',
      'Car wash',
    ]);
    expect(res.body.declinedLines).toEqual([
      expect.objectContaining({ itemCode: 'BRAKE_FLUID', description: 'Brake fluid', estimateAmount: 45 }),
      expect.objectContaining({ itemCode: null, description: 'Wiper blades', estimateAmount: 12.5 }),
    ]);
    const readings = await t.db.query(
      `SELECT value, source, read_at FROM odometer_reading WHERE vehicle_id = $1 ORDER BY read_at`,
      [vehicleId],
    );
    expect(readings.map((r: { value: number; source: string }) => [r.value, r.source])).toEqual([
      [10, 'staff'],
      [8000, 'service_visit'],
    ]);
    const performed = await t.db.query(
      `SELECT item_code, performed_at, odometer FROM maintenance_performed WHERE service_visit_id = $1 ORDER BY item_code`,
      [res.body.id],
    );
    expect(performed).toEqual([
      { item_code: 'BRAKE_INSPECTION', performed_at: new Date('2026-06-01T02:00:00Z'), odometer: 8000 },
      { item_code: 'OIL_CHANGE', performed_at: new Date('2026-06-01T02:00:00Z'), odometer: 8000 },
      { item_code: 'TIRE_ROTATION', performed_at: new Date('2026-06-01T02:00:00Z'), odometer: 8000 },
    ]);
    expect(closed.at(-1)).toEqual({
      visitId: res.body.id,
      vehicleId,
      customerId: customer,
      rooftopId: a,
      closedAt: new Date('2026-06-15T03:00:00Z'),
      advisorId: advisor.id,
      // What listeners would otherwise re-read: the visit's own date, the totals, the items performed, the owner
      // under the vehicle lock.
      visitDate: new Date('2026-06-01T02:00:00Z'),
      customerPayAmount: '78.80',
      itemCodes: ['BRAKE_INSPECTION', 'OIL_CHANGE', 'TIRE_ROTATION'],
      vehicleOwnerId: customer,
    });
    expect(performedAtEmit.at(-1)).toBe(3);
  });

  it('logs an open visit and closes it separately; closing twice is 409', async () => {
    const vehicleId = await vehicle();
    const created = await t.http
      .post('/api/v1/service-visits')
      .set(bearer(advisor.token))
      .send(visitBody(vehicleId));
    expect(created.status).toBe(201);
    expect(created.body.status).toBe('open');
    expect(await count('maintenance_performed', 'vehicle_id = $1', [vehicleId])).toBe(0);
    expect(await count('odometer_reading', `vehicle_id = $1 AND source = 'service_visit'`, [vehicleId])).toBe(
      0,
    );

    const close = await t.http
      .post(`/api/v1/service-visits/${created.body.id}/close`)
      .set(bearer(manager.token));
    expect(close.status).toBe(200);
    expect(close.body).toMatchObject({ status: 'closed', customerPayAmount: 78.8 });
    expect(await count('maintenance_performed', 'vehicle_id = $1', [vehicleId])).toBe(3);
    expect(await count('odometer_reading', `vehicle_id = $1 AND source = 'service_visit'`, [vehicleId])).toBe(
      1,
    );

    const again = await t.http
      .post(`/api/v1/service-visits/${created.body.id}/close`)
      .set(bearer(advisor.token));
    expect(again.status).toBe(409);
    expect(again.body.code).toBe('visit_already_closed');
  });

  it('rolls the whole close back when a listener fails', async () => {
    const vehicleId = await vehicle();
    const created = await t.http
      .post('/api/v1/service-visits')
      .set(bearer(advisor.token))
      .send(visitBody(vehicleId));
    failListener = true;
    try {
      const close = await t.http
        .post(`/api/v1/service-visits/${created.body.id}/close`)
        .set(bearer(advisor.token));
      expect(close.status).toBe(500);
      const inOneGo = await t.http
        .post('/api/v1/service-visits')
        .set(bearer(advisor.token))
        .send(visitBody(vehicleId, { close: true }));
      expect(inOneGo.status).toBe(500);
    } finally {
      failListener = false;
    }
    expect(
      (await t.http.get(`/api/v1/service-visits/${created.body.id}`).set(bearer(advisor.token))).body.status,
    ).toBe('open');
    expect(await count('service_visit', 'vehicle_id = $1', [vehicleId])).toBe(1);
    expect(await count('maintenance_performed', 'vehicle_id = $1', [vehicleId])).toBe(0);
    expect(await count('odometer_reading', `vehicle_id = $1 AND source = 'service_visit'`, [vehicleId])).toBe(
      0,
    );
  });

  it('voids a closed visit: maintenance forgotten, event emitted, odometer reading kept; voiding twice is 409', async () => {
    const vehicleId = await vehicle();
    const created = await t.http
      .post('/api/v1/service-visits')
      .set(bearer(advisor.token))
      .send(visitBody(vehicleId, { close: true }));
    const url = `/api/v1/service-visits/${created.body.id}/void`;
    const bad = await t.http.post(url).set(bearer(advisor.token)).send({ reason: '' });
    expect(bad.status).toBe(400);
    expect(bad.body.errors[0].field).toBe('reason');
    expect(await count('maintenance_performed', 'vehicle_id = $1', [vehicleId])).toBe(3);

    const res = await t.http
      .post(url)
      .set(bearer(advisor.token))
      .send({ reason: 'Logged on the wrong vehicle' });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({
      status: 'voided',
      voidReason: 'Logged on the wrong vehicle',
      voidedAt: '2026-06-15T03:00:00.000Z',
    });
    expect(await count('maintenance_performed', 'vehicle_id = $1', [vehicleId])).toBe(0);
    expect(await count('odometer_reading', `vehicle_id = $1 AND source = 'service_visit'`, [vehicleId])).toBe(
      1,
    );
    expect(voided.at(-1)).toMatchObject({
      visitId: created.body.id,
      vehicleId,
      customerId: customer,
      rooftopId: a,
    });
    expect((await t.http.post(url).set(bearer(advisor.token)).send({ reason: 'again' })).status).toBe(409);
    expect(
      (await t.http.post(`/api/v1/service-visits/${created.body.id}/close`).set(bearer(advisor.token)))
        .status,
    ).toBe(409);

    // A voided RO number may be logged again (the mistake is corrected under the same number).
    const relog = await t.http
      .post('/api/v1/service-visits')
      .set(bearer(advisor.token))
      .send({ ...visitBody(vehicleId), roNumber: created.body.roNumber });
    expect(relog.status).toBe(201);
  });

  it('answers 409 to a duplicate RO number at the same rooftop', async () => {
    const vehicleId = await vehicle();
    const body = visitBody(vehicleId);
    expect((await t.http.post('/api/v1/service-visits').set(bearer(advisor.token)).send(body)).status).toBe(
      201,
    );
    const dup = await t.http
      .post('/api/v1/service-visits')
      .set(bearer(advisor.token))
      .send({ ...body, odometer: 9000 });
    expect(dup.status).toBe(409);
    expect(dup.body.code).toBe('duplicate_ro_number');
    expect(await count('service_visit', 'vehicle_id = $1', [vehicleId])).toBe(1);
  });

  it('replays an Idempotency-Key with the same body and refuses it with another body (422)', async () => {
    const vehicleId = await vehicle();
    const body = visitBody(vehicleId, { close: true });
    const first = await t.http
      .post('/api/v1/service-visits')
      .set(bearer(advisor.token))
      .set('Idempotency-Key', 'k-123')
      .send(body);
    expect(first.status).toBe(201);
    const closedEvents = closed.length;
    const replay = await t.http
      .post('/api/v1/service-visits')
      .set(bearer(advisor.token))
      .set('Idempotency-Key', 'k-123')
      .send(body);
    expect(replay.status).toBe(201);
    expect(replay.headers['idempotent-replayed']).toBe('true');
    expect(replay.body).toEqual(first.body);
    expect(closed.length).toBe(closedEvents);
    expect(await count('service_visit', 'vehicle_id = $1', [vehicleId])).toBe(1);

    const other = await t.http
      .post('/api/v1/service-visits')
      .set(bearer(advisor.token))
      .set('Idempotency-Key', 'k-123')
      .send({ ...body, odometer: 8001 });
    expect(other.status).toBe(422);
    expect(other.body.code).toBe('idempotency_key_reused');
    expect(await count('service_visit', 'vehicle_id = $1', [vehicleId])).toBe(1);

    const badKey = await t.http
      .post('/api/v1/service-visits')
      .set(bearer(advisor.token))
      .set('Idempotency-Key', 'two words')
      .send(visitBody(vehicleId));
    expect(badKey.status).toBe(400);
  });

  it('frees the key of a failed request so that the corrected retry goes through', async () => {
    const vehicleId = await vehicle();
    const failed = await t.http
      .post('/api/v1/service-visits')
      .set(bearer(advisor.token))
      .set('Idempotency-Key', 'k-retry')
      .send(
        visitBody(vehicleId, {
          lines: [{ itemCode: 'NOT_AN_ITEM', labourAmount: 1, partsAmount: 1, payType: 'customer' }],
        }),
      );
    expect(failed.status).toBe(422);
    const retry = await t.http
      .post('/api/v1/service-visits')
      .set(bearer(advisor.token))
      .set('Idempotency-Key', 'k-retry')
      .send(visitBody(vehicleId));
    expect(retry.status).toBe(201);
  });

  it('names every bad line field and writes nothing', async () => {
    const vehicleId = await vehicle();
    const before = [await count('service_visit'), await count('service_visit_line')];
    const res = await t.http
      .post('/api/v1/service-visits')
      .set(bearer(advisor.token))
      .send({
        rooftopId: a,
        vehicleId,
        roNumber: '',
        visitDate: 'last tuesday',
        odometer: -5,
        lines: [
          { labourAmount: 1.234, partsAmount: -1, payType: 'cash' },
          { itemCode: 'oil', labourAmount: '10', partsAmount: 0, payType: 'customer' },
        ],
        declinedLines: [{ estimateAmount: 5 }],
        surprise: true,
      });
    expect(res.status).toBe(400);
    const fields = [...new Set(res.body.errors.map((e: { field: string }) => e.field))].sort();
    expect(fields).toEqual([
      'declinedLines.0.description',
      'lines.0.description',
      'lines.0.labourAmount',
      'lines.0.partsAmount',
      'lines.0.payType',
      'lines.1.itemCode',
      'lines.1.labourAmount',
      'odometer',
      'roNumber',
      'surprise',
      'visitDate',
    ]);

    const unknown = await t.http
      .post('/api/v1/service-visits')
      .set(bearer(advisor.token))
      .send(
        visitBody(vehicleId, {
          declinedLines: [{ itemCode: 'FLUX_CAPACITOR', estimateAmount: 1 }],
          advisorId: sales.id,
        }),
      );
    expect(unknown.status).toBe(422);
    expect(unknown.body.errors.map((e: { field: string }) => e.field)).toEqual(['declinedLines.0.itemCode']);

    const future = await t.http
      .post('/api/v1/service-visits')
      .set(bearer(advisor.token))
      .send(visitBody(vehicleId, { visitDate: '2026-06-16T00:00:00Z' }));
    expect(future.status).toBe(400);
    expect(future.body.errors[0].field).toBe('visitDate');
    expect([await count('service_visit'), await count('service_visit_line')]).toEqual(before);
  });

  it('refuses to close with an implausible odometer and writes nothing when created in one go', async () => {
    const vehicleId = await vehicle();
    const res = await t.http
      .post('/api/v1/service-visits')
      .set(bearer(advisor.token))
      .send(visitBody(vehicleId, { odometer: 5, close: true }));
    expect(res.status).toBe(422);
    expect(res.body).toMatchObject({ code: 'odometer_rejected', reason: 'backwards' });
    expect(res.body.errors[0].field).toBe('odometer');
    expect(await count('service_visit', 'vehicle_id = $1', [vehicleId])).toBe(0);
  });

  it('lets a salesperson read visits but not create, close or void them (403)', async () => {
    const vehicleId = await vehicle();
    const created = await t.http
      .post('/api/v1/service-visits')
      .set(bearer(advisor.token))
      .send(visitBody(vehicleId));
    const s = bearer(sales.token);
    expect((await t.http.post('/api/v1/service-visits').set(s).send(visitBody(vehicleId))).status).toBe(403);
    expect((await t.http.post(`/api/v1/service-visits/${created.body.id}/close`).set(s)).status).toBe(403);
    expect(
      (await t.http.post(`/api/v1/service-visits/${created.body.id}/void`).set(s).send({ reason: 'x' }))
        .status,
    ).toBe(403);
    expect((await t.http.get(`/api/v1/service-visits/${created.body.id}`).set(s)).status).toBe(200);
    expect(
      (await t.http.get(`/api/v1/service-visits?vehicleId=${vehicleId}`).set(s)).body.items,
    ).toHaveLength(1);
  });

  it('hides visits of a rooftop not granted (404) and refuses vehicles the advisor cannot see', async () => {
    const vehicleId = await vehicle();
    const created = await t.http
      .post('/api/v1/service-visits')
      .set(bearer(advisor.token))
      .send(visitBody(vehicleId));
    const other = bearer(advisorB.token);
    const id = created.body.id;
    expect([
      (await t.http.get(`/api/v1/service-visits/${id}`).set(other)).status,
      (await t.http.post(`/api/v1/service-visits/${id}/close`).set(other)).status,
      (await t.http.post(`/api/v1/service-visits/${id}/void`).set(other).send({ reason: 'x' })).status,
    ]).toEqual([404, 404, 404]);
    expect((await t.http.get(`/api/v1/service-visits?vehicleId=${vehicleId}`).set(other)).status).toBe(404);
    const foreign = await t.http
      .post('/api/v1/service-visits')
      .set(other)
      .send({ ...visitBody(vehicleId), rooftopId: b });
    expect(foreign.status).toBe(404);
    expect(foreign.body.errors.map((e: { field: string }) => e.field)).toEqual(['vehicleId']);
  });

  it('lists visits newest first with filters and cursor pages', async () => {
    const vehicleId = await vehicle();
    const ids: string[] = [];
    for (const [day, odometer] of [
      ['2026-03-01', 3000],
      ['2026-04-01', 4000],
      ['2026-05-01', 5000],
    ] as const) {
      const res = await t.http
        .post('/api/v1/service-visits')
        .set(bearer(advisor.token))
        .send(visitBody(vehicleId, { visitDate: `${day}T02:00:00Z`, odometer, close: day !== '2026-05-01' }));
      expect(res.status).toBe(201);
      ids.push(res.body.id);
    }
    const h = bearer(manager.token);
    const page1 = await t.http.get(`/api/v1/service-visits?vehicleId=${vehicleId}&limit=2`).set(h);
    expect(page1.body.items.map((v: { id: string }) => v.id)).toEqual([ids[2], ids[1]]);
    expect(page1.body.items[0].lines).toHaveLength(4);
    const page2 = await t.http
      .get(`/api/v1/service-visits?vehicleId=${vehicleId}&limit=2&cursor=${page1.body.nextCursor}`)
      .set(h);
    expect(page2.body).toEqual({ items: [expect.objectContaining({ id: ids[0] })], nextCursor: null });
    const closedOnly = await t.http.get(`/api/v1/service-visits?vehicleId=${vehicleId}&status=closed`).set(h);
    expect(closedOnly.body.items.map((v: { id: string }) => v.id)).toEqual([ids[1], ids[0]]);
    const window = await t.http
      .get(
        `/api/v1/service-visits?customerId=${customer}&vehicleId=${vehicleId}&from=2026-03-15T00:00:00Z&to=2026-04-15T00:00:00Z`,
      )
      .set(h);
    expect(window.body.items.map((v: { id: string }) => v.id)).toEqual([ids[1]]);
    expect((await t.http.get('/api/v1/service-visits?status=lost&from=soon').set(h)).status).toBe(400);
  });
});
