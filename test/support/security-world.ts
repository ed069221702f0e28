import { bearer, type TestApp } from './test-app';

/**
 * A small dealer group for the security suites: rooftop A with a record of every kind, rooftop B with its
 * own staff, users of every role. Everything is created through the API where an endpoint exists.
 */
export interface World {
  rooftopA: string;
  rooftopB: string;
  admin: { id: string; token: string };
  /** Staff of rooftop A, by role. */
  a: Record<'manager' | 'salesperson' | 'service_advisor', { id: string; token: string }>;
  /** Staff of rooftop B only, by role. */
  b: Record<'manager' | 'salesperson' | 'service_advisor', { id: string; token: string }>;
  customerId: string;
  otherCustomerId: string;
  vehicleId: string;
  visitId: string;
  taskId: string;
  complaintId: string;
  messageId: string;
  rewardId: string;
  importJobId: string;
  itemCode: string;
  overrideId: string;
  apiKeyId: string;
  userId: string;
  /** Records of rooftop B, for ids that rooftop A's staff put in request bodies. */
  customerB: string;
  vehicleB: string;
  /** A booked appointment of rooftop A (its service calendar: every day 08:00–17:00, 100 places a slot). */
  appointmentId: string;
  /** A text of rooftop A's customer, already matched on arrival (an SMS reply). */
  inboundMessageId: string;
}

async function ok<T = Record<string, unknown>>(
  what: string,
  p: PromiseLike<{ status: number; body: unknown }>,
): Promise<T> {
  const res = await p;
  if (res.status >= 300) throw new Error(`fixture ${what}: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body as T;
}

export async function buildWorld(t: TestApp): Promise<World> {
  const rooftopA = (await t.rooftop({ name: 'Rooftop A' })).id;
  const rooftopB = (await t.rooftop({ name: 'Rooftop B' })).id;
  const admin = await t.user('admin');
  const a = {
    manager: await t.user('manager', [rooftopA]),
    salesperson: await t.user('salesperson', [rooftopA]),
    service_advisor: await t.user('service_advisor', [rooftopA]),
  };
  const b = {
    manager: await t.user('manager', [rooftopB]),
    salesperson: await t.user('salesperson', [rooftopB]),
    service_advisor: await t.user('service_advisor', [rooftopB]),
  };
  const as = bearer(a.manager.token);
  const customer = await ok<{ id: string }>(
    'customer',
    t.http.post('/api/v1/customers').set(as).send({
      firstName: 'Matrix',
      lastName: 'Owner',
      email: 'matrix.owner@example.com',
      homeRooftopId: rooftopA,
    }),
  );
  const other = await ok<{ id: string }>(
    'other customer',
    t.http
      .post('/api/v1/customers')
      .set(as)
      .send({ firstName: 'Matrix', lastName: 'Buyer', homeRooftopId: rooftopA }),
  );
  const vehicle = await ok<{ id: string }>(
    'vehicle',
    t.http.post('/api/v1/vehicles').set(as).send({
      rooftopId: rooftopA,
      vin: 'WVWZZZ1JZXW000001',
      make: 'Toyota',
      model: 'Hilux',
      year: 2024,
      powertrain: 'ice',
      ownerId: customer.id,
      purchaseDate: '2026-01-10',
      purchaseOdometer: 10,
    }),
  );
  const visit = await ok<{ id: string }>(
    'service visit',
    t.http
      .post('/api/v1/service-visits')
      .set(as)
      .send({
        rooftopId: rooftopA,
        vehicleId: vehicle.id,
        roNumber: 'RO-MATRIX-1',
        visitDate: '2026-06-01T02:00:00Z',
        odometer: 8_000,
        lines: [{ itemCode: 'OIL_CHANGE', labourAmount: 25, partsAmount: 38.5, payType: 'customer' }],
      }),
  );
  await ok(
    'service calendar',
    t.http
      .put(`/api/v1/rooftops/${rooftopA}/service-calendar`)
      .set(as)
      .send({
        openingHours: [1, 2, 3, 4, 5, 6, 7].map((weekday) => ({ weekday, open: '08:00', close: '17:00' })),
        placesPerSlot: 100,
      }),
  );
  const appointment = await ok<{ id: string }>(
    'appointment',
    t.http
      .post('/api/v1/appointments')
      .set(as)
      .send({
        rooftopId: rooftopA,
        customerId: customer.id,
        vehicleId: vehicle.id,
        slotStart: '2026-06-16T02:00:00Z',
        itemCodes: ['OIL_CHANGE'],
      }),
  );
  const task = await ok<{ id: string }>(
    'task',
    t.http.post('/api/v1/tasks').set(as).send({
      customerId: customer.id,
      title: 'Call back',
      dueAt: '2026-06-20T03:00:00Z',
      assigneeId: a.manager.id,
    }),
  );
  const complaint = await ok<{ id: string }>(
    'complaint',
    t.http
      .post('/api/v1/complaints')
      .set(as)
      .send({ customerId: customer.id, source: 'call', summary: 'Scratch on the bumper' }),
  );
  const [message] = await t.db.query(
    `INSERT INTO outbox_message (dedupe_key, rooftop_id, customer_id, kind, purpose, payload, scheduled_at, next_attempt_at, status, status_reason)
     VALUES ('matrix:1', $1, $2, 'transactional', 'transactional', '{"message":"hi"}', now(), now(), 'failed', 'smtp_550') RETURNING id`,
    [rooftopA, customer.id],
  );
  const reward = await ok<{ id: string }>(
    'reward',
    t.http
      .post('/api/v1/loyalty/rewards')
      .set(as)
      .send({ code: 'MATRIX-WASH', name: 'Free car wash', pointsCost: 300 }),
  );
  const [importJob] = await t.db.query(
    `INSERT INTO import_job (rooftop_id, created_by, source, started_at) VALUES ($1, $2, 'api', now()) RETURNING id`,
    [rooftopA, a.manager.id],
  );
  const override = await ok<{ id: string }>(
    'override',
    t.http
      .post('/api/v1/maintenance-items/OIL_CHANGE/overrides')
      .set(as)
      .send({ make: 'Toyota', model: 'Hilux', intervalKm: 5_000, intervalMi: 3_000 }),
  );
  const apiKey = await ok<{ id: string }>(
    'api key',
    t.http
      .post('/api/v1/api-keys')
      .set(bearer(admin.token))
      .send({ name: 'Matrix DMS', userId: a.manager.id }),
  );
  const [inbound] = await t.db.query(
    `INSERT INTO inbound_message (channel, provider_ref, sender, text, received_at, customer_id, rooftop_id, matched_at)
     VALUES ('sms', 'matrix-1', '+85512000001', 'See you Monday', now(), $2, $1, now()) RETURNING id`,
    [rooftopA, customer.id],
  );
  const bs = bearer(b.manager.token);
  const customerB = await ok<{ id: string }>(
    'customer of rooftop B',
    t.http
      .post('/api/v1/customers')
      .set(bs)
      .send({ firstName: 'Other', lastName: 'Rooftop', homeRooftopId: rooftopB }),
  );
  const vehicleB = await ok<{ id: string }>(
    'vehicle of rooftop B',
    t.http.post('/api/v1/vehicles').set(bs).send({
      rooftopId: rooftopB,
      vin: 'WVWZZZ1JZXW000002',
      make: 'Toyota',
      model: 'Vios',
      year: 2023,
      powertrain: 'ice',
      ownerId: customerB.id,
    }),
  );
  return {
    rooftopA,
    rooftopB,
    admin,
    a,
    b,
    customerId: customer.id,
    otherCustomerId: other.id,
    vehicleId: vehicle.id,
    visitId: visit.id,
    taskId: task.id,
    complaintId: complaint.id,
    messageId: (message as { id: string }).id,
    rewardId: reward.id,
    importJobId: (importJob as { id: string }).id,
    itemCode: 'OIL_CHANGE',
    overrideId: override.id,
    apiKeyId: apiKey.id,
    userId: a.salesperson.id,
    customerB: customerB.id,
    vehicleB: vehicleB.id,
    appointmentId: appointment.id,
    inboundMessageId: (inbound as { id: string }).id,
  };
}

/**
 * A real id of rooftop A for a path parameter of an OpenAPI path (`/api/v1/<resource>/…`), so that requests
 * reach the handlers; `no-real-value` when the world holds none.
 */
export function realPathParam(w: World, path: string, name: string): string {
  if (name === 'code') return w.itemCode;
  if (name === 'name') return 'complaint-sla';
  if (path.includes('/overrides/')) return w.overrideId;
  const ids: Record<string, string> = {
    customers: w.customerId,
    vehicles: w.vehicleId,
    'service-visits': w.visitId,
    tasks: w.taskId,
    complaints: w.complaintId,
    messages: w.messageId,
    loyalty: w.rewardId,
    rooftops: w.rooftopA,
    users: w.userId,
    'api-keys': w.apiKeyId,
    appointments: w.appointmentId,
    'inbound-messages': w.inboundMessageId,
  };
  return ids[path.split('/')[3]] ?? 'no-real-value';
}
