import { DomainEvents } from '../src/common/domain-events';
import { JobsService } from '../src/jobs/jobs.service';
import { TemplateRenderer } from '../src/messaging/template-renderer';
import { ServiceRemindersPlanner } from '../src/service-reminders/service-reminders.planner';
import {
  clearFleet,
  insertCustomer,
  insertPerformed,
  insertReading,
  insertVehicle,
} from './service-reminders-fixtures';
import { bearer, startTestApp, TestApp } from './support/test-app';

interface DigestItem {
  stageId: number;
  vehicleId: string;
  vin: string;
  itemCode: string;
  itemName: string;
  stage: string;
  dueDate: string;
  latestOdometer: number;
}

describe('service reminders', () => {
  let t: TestApp;
  let planner: ServiceRemindersPlanner;
  let rooftopId: string;
  beforeAll(async () => {
    t = await startTestApp({ now: '2026-05-20T03:00:00Z' });
    planner = t.app.get(ServiceRemindersPlanner);
    rooftopId = (await t.rooftop({ timeZone: 'Asia/Phnom_Penh' })).id;
  });
  afterAll(() => t.close());
  beforeEach(() => clearFleet(t.db));

  interface MessageRow {
    id: string;
    customer_id: string;
    vehicle_id: string | null;
    status: string;
    status_reason: string | null;
    payload: { items: DigestItem[] };
    scheduled_at: Date;
    dedupe_key: string;
    purpose: string;
  }
  interface StageRow {
    item_code: string;
    cycle_key: string;
    stage: string;
    status: string;
    customer_id: string;
  }
  const messages = (customerId?: string) =>
    t.db.query<MessageRow[]>(
      `SELECT id, customer_id, vehicle_id, kind, purpose, status, status_reason, payload, scheduled_at, dedupe_key FROM outbox_message
        WHERE kind = 'service_reminder' AND ($1::uuid IS NULL OR customer_id = $1) ORDER BY created_at, id`,
      [customerId ?? null],
    );
  const stages = () =>
    t.db.query<StageRow[]>(
      `SELECT item_code, cycle_key, stage, status, customer_id FROM service_reminder_stage ORDER BY item_code, stage`,
    );
  const codes = (items: DigestItem[]) => items.map((i) => i.itemCode).sort();

  /** Purchased 2025-12-01 at 0 km, no readings: oil change and tire rotation are due 2026-06-01 (six months). */
  async function customerWithTwoItemsDueSoon() {
    const customerId = await insertCustomer(t.db, rooftopId);
    const vehicleId = await insertVehicle(t.db, {
      rooftopId,
      ownerId: customerId,
      purchaseDate: '2025-12-01',
    });
    return { customerId, vehicleId };
  }

  describe('planner', () => {
    it('sends one digest when two items fall due the same day', async () => {
      const { customerId, vehicleId } = await customerWithTwoItemsDueSoon();
      const asOf = new Date('2026-05-20T03:00:00Z');
      expect(await planner.plan(asOf)).toMatchObject({
        stagesPlanned: 2,
        stagesSkipped: 0,
        messagesPlanned: 1,
      });
      const [message] = await messages(customerId);
      expect(message).toMatchObject({
        status: 'pending',
        purpose: 'service_reminders',
        vehicle_id: vehicleId,
        scheduled_at: asOf,
      });
      expect(message.dedupe_key).toMatch(
        new RegExp(`^svc:${customerId}:2026-05-20T03:00:00.000Z:[0-9a-f]{32}$`),
      );
      expect(codes(message.payload.items)).toEqual(['OIL_CHANGE', 'TIRE_ROTATION']);
      expect(message.payload.items[0]).toMatchObject({
        vehicleId,
        make: 'Hyundai',
        model: 'Tucson',
        stage: 'due_soon',
        dueDate: '2026-06-01',
        latestOdometer: 0,
      });
      expect(message.payload.items[0].itemName).toBeTruthy();
      expect(message.payload.items[0].vin).toHaveLength(17);
      // The digest stores the catalogue name only; the email still reads in the customer's language: the renderer
      // adds the Khmer and Lao item names and stage labels.
      const oil = message.payload.items.find((i) => i.itemCode === 'OIL_CHANGE');
      expect(oil?.itemName).toBe('Oil and filter change');
      expect(oil).not.toHaveProperty('itemNames');
      expect(oil).not.toHaveProperty('stageLabels');
      const email = t.app.get(TemplateRenderer).render({
        kind: 'service_reminder',
        language: 'km',
        unit: 'km',
        customer: { firstName: 'Sokha', lastName: 'Chan' },
        rooftop: {
          name: 'Phnom Penh Motors',
          address: '12 Norodom Blvd',
          phone: '+85523123456',
          bookingUrl: null,
          timeZone: 'Asia/Phnom_Penh',
          currency: 'USD',
        },
        payload: message.payload,
        links: { unsubscribe: 'https://crm.test/u/x', booking: null },
      });
      expect(email.text).toContain('ប្តូរប្រេងម៉ាស៊ីន និងតម្រងប្រេង');
      expect(email.text).toContain('ជិតដល់ពេលហើយ');
    });

    it('creates nothing when run again for the same instant, or later within the same stage', async () => {
      const { customerId } = await customerWithTwoItemsDueSoon();
      await planner.plan(new Date('2026-05-20T03:00:00Z'));
      expect(await planner.plan(new Date('2026-05-20T03:00:00Z'))).toMatchObject({
        stagesPlanned: 0,
        stagesSkipped: 0,
        messagesPlanned: 0,
      });
      expect(await planner.plan(new Date('2026-05-25T03:00:00Z'))).toMatchObject({
        stagesPlanned: 0,
        stagesSkipped: 0,
        messagesPlanned: 0,
      });
      expect(await messages(customerId)).toHaveLength(1);
    });

    it('sends the next stage of the same cycle once it is reached', async () => {
      const { customerId } = await customerWithTwoItemsDueSoon();
      await planner.plan(new Date('2026-05-20T03:00:00Z'));
      expect(await planner.plan(new Date('2026-06-01T03:00:00Z'))).toMatchObject({
        stagesPlanned: 2,
        messagesPlanned: 1,
      });
      const all = await messages(customerId);
      expect(all.map((m) => m.payload.items.map((i) => i.stage))).toEqual([
        ['due_soon', 'due_soon'],
        ['due', 'due'],
      ]);
    });

    it('sends only the latest stage when a run is late, and never the skipped ones later', async () => {
      const { customerId } = await customerWithTwoItemsDueSoon();
      // First run ever on 2026-07-05: oil and tires (due 2026-06-01) are overdue since 2026-07-01.
      expect(await planner.plan(new Date('2026-07-05T03:00:00Z'))).toMatchObject({
        stagesPlanned: 2,
        stagesSkipped: 4,
        messagesPlanned: 1,
      });
      const [message] = await messages(customerId);
      expect(message.payload.items.map((i) => i.stage)).toEqual(['overdue', 'overdue']);
      // Only the stage sent is recorded: the earlier ones are implied by it.
      expect(
        (await stages()).filter((s) => s.item_code === 'OIL_CHANGE').map((s) => [s.stage, s.status]),
      ).toEqual([['overdue', 'planned']]);
      // An earlier instant (back-fill) must not send the skipped stages.
      expect(await planner.plan(new Date('2026-05-20T03:00:00Z'))).toMatchObject({
        stagesPlanned: 0,
        messagesPlanned: 0,
      });
      expect(await messages(customerId)).toHaveLength(1);
    });

    it('plans each message once when two planners run at the same time', async () => {
      const a = await customerWithTwoItemsDueSoon();
      const b = await customerWithTwoItemsDueSoon();
      const asOf = new Date('2026-05-20T03:00:00Z');
      // Straight to the planner on two pooled connections: the job's advisory lock is bypassed on purpose.
      const results = await Promise.all([planner.plan(asOf), planner.plan(asOf)]);
      expect(results.reduce((n, r) => n + r.messagesPlanned, 0)).toBe(2);
      expect(results.reduce((n, r) => n + r.stagesPlanned, 0)).toBe(4);
      expect(await messages(a.customerId)).toHaveLength(1);
      expect(await messages(b.customerId)).toHaveLength(1);
      expect(await stages()).toHaveLength(4);
    });

    it('groups items of several vehicles of one customer into one digest', async () => {
      const customerId = await insertCustomer(t.db, rooftopId);
      await insertVehicle(t.db, { rooftopId, ownerId: customerId, purchaseDate: '2025-12-01' });
      await insertVehicle(t.db, {
        rooftopId,
        ownerId: customerId,
        purchaseDate: '2024-06-01',
        powertrain: 'ev',
      });
      await planner.plan(new Date('2026-05-20T03:00:00Z'));
      const [message, ...rest] = await messages(customerId);
      expect(rest).toHaveLength(0);
      expect(message.vehicle_id).toBeNull();
      // The EV (bought 2024-06-01): tire rotation, brake inspection, cabin filter, battery check and brake fluid come
      // due on 2026-06-01 — but no oil change.
      expect(codes(message.payload.items)).toEqual(
        [
          'BRAKE_FLUID',
          'BRAKE_INSPECTION',
          'CABIN_AIR_FILTER',
          'EV_BATTERY_CHECK',
          'OIL_CHANGE',
          'TIRE_ROTATION',
          'TIRE_ROTATION',
        ].sort(),
      );
      const ev = message.payload.items.filter((i) => i.itemCode === 'EV_BATTERY_CHECK')[0].vehicleId;
      expect(message.payload.items.filter((i) => i.vehicleId === ev).map((i) => i.itemCode)).not.toContain(
        'OIL_CHANGE',
      );
    });

    it('ignores vehicles without an owner and vehicles no longer active', async () => {
      const customerId = await insertCustomer(t.db, rooftopId);
      await insertVehicle(t.db, { rooftopId, ownerId: null, purchaseDate: '2025-12-01' });
      await insertVehicle(t.db, {
        rooftopId,
        ownerId: customerId,
        purchaseDate: '2025-12-01',
        status: 'sold_away',
      });
      expect(await planner.plan(new Date('2026-05-20T03:00:00Z'))).toMatchObject({
        stagesPlanned: 0,
        stagesSkipped: 0,
        messagesPlanned: 0,
      });
    });

    it('removes a serviced item from the pending digest, and cancels the digest when nothing is left', async () => {
      const { customerId, vehicleId } = await customerWithTwoItemsDueSoon();
      await planner.plan(new Date('2026-05-20T03:00:00Z'));
      const closeVisit = async (ro: string, itemCode: string) =>
        t.db.transaction(async (m) => {
          const [visit] = await m.query(
            `INSERT INTO service_visit (rooftop_id, vehicle_id, customer_id, ro_number, visit_date, odometer, status, closed_at)
             VALUES ($1, $2, $3, $4, '2026-05-21T03:00:00Z', 6000, 'closed', '2026-05-21T05:00:00Z') RETURNING id`,
            [rooftopId, vehicleId, customerId, ro],
          );
          await m.query(
            `INSERT INTO maintenance_performed (vehicle_id, item_code, performed_at, odometer, service_visit_id) VALUES ($1, $2, '2026-05-21T03:00:00Z', 6000, $3)`,
            [vehicleId, itemCode, visit.id],
          );
          await t.app.get(DomainEvents).emit(m, 'service_visit.closed', {
            visitId: visit.id,
            vehicleId,
            customerId,
            rooftopId,
            closedAt: new Date('2026-05-21T05:00:00Z'),
            advisorId: null,
            customerPayAmount: '0.00',
            itemCodes: [itemCode],
            vehicleOwnerId: customerId,
            visitDate: new Date('2026-05-21T03:00:00Z'),
          });
        });

      await closeVisit('RO-1', 'OIL_CHANGE');
      let [message] = await messages(customerId);
      expect(message.status).toBe('pending');
      expect(codes(message.payload.items)).toEqual(['TIRE_ROTATION']);

      await closeVisit('RO-2', 'TIRE_ROTATION');
      [message] = await messages(customerId);
      expect(message).toMatchObject({ status: 'cancelled', status_reason: 'items serviced' });
      expect(message.payload.items).toEqual([]);

      // A new cycle started on 2026-05-21: nothing is due again until 14 days before 2026-11-21.
      expect(await planner.plan(new Date('2026-06-02T03:00:00Z'))).toMatchObject({
        stagesPlanned: 0,
        messagesPlanned: 0,
      });
      expect(await planner.plan(new Date('2026-11-07T03:00:00Z'))).toMatchObject({
        stagesPlanned: 2,
        messagesPlanned: 1,
      });
    });

    it('cancels the previous owner’s pending digest on a change of owner and reminds the new owner', async () => {
      const { customerId, vehicleId } = await customerWithTwoItemsDueSoon();
      const newOwner = await insertCustomer(t.db, rooftopId);
      await planner.plan(new Date('2026-05-20T03:00:00Z'));
      await t.db.transaction(async (m) => {
        await m.query(`UPDATE vehicle SET owner_id = $2 WHERE id = $1`, [vehicleId, newOwner]);
        await t.app.get(DomainEvents).emit(m, 'vehicle.ownership_changed', {
          vehicleId,
          previousOwnerId: customerId,
          newOwnerId: newOwner,
          at: new Date('2026-05-21T00:00:00Z'),
        });
      });
      const [old] = await messages(customerId);
      expect(old).toMatchObject({ status: 'cancelled', status_reason: 'vehicle changed owner' });
      expect(await planner.plan(new Date('2026-05-22T03:00:00Z'))).toMatchObject({
        stagesPlanned: 2,
        messagesPlanned: 1,
      });
      const [fresh] = await messages(newOwner);
      expect(codes(fresh.payload.items)).toEqual(['OIL_CHANGE', 'TIRE_ROTATION']);
    });

    it('is registered as the exclusive service-reminders job', async () => {
      await customerWithTwoItemsDueSoon();
      const admin = await t.user('admin');
      const res = await t.http
        .post('/api/v1/jobs/service-reminders/runs')
        .set(bearer(admin.token))
        .send({ asOf: '2026-05-20T03:00:00Z' });
      expect(res.status).toBeLessThan(300);
      expect(res.body.result).toMatchObject({ stagesPlanned: 2, stagesSkipped: 0, messagesPlanned: 1 });
      expect(t.app.get(JobsService).registered()).toContain('service-reminders');
    });
  });

  describe('GET /vehicles/{id}/maintenance-due', () => {
    it('shows both projections, the winner, the driving rate and the stage', async () => {
      const customerId = await insertCustomer(t.db, rooftopId);
      // 100 km a day: 4,000 km between 1 January and 10 February.
      const vehicleId = await insertVehicle(t.db, {
        rooftopId,
        ownerId: customerId,
        purchaseDate: '2026-01-01',
        purchaseOdometer: 10_000,
      });
      await insertReading(t.db, vehicleId, 10_000, '2026-01-01T03:00:00Z');
      await insertReading(t.db, vehicleId, 14_000, '2026-02-10T03:00:00Z');
      await insertPerformed(t.db, vehicleId, 'BRAKE_INSPECTION', '2026-02-10T03:00:00Z', 14_000);
      const sales = await t.user('salesperson', [rooftopId]);
      const res = await t.http
        .get(`/api/v1/vehicles/${vehicleId}/maintenance-due?asOf=2026-04-01T03:00:00Z`)
        .set(bearer(sales.token));
      expect(res.status).toBe(200);
      expect(res.body).toMatchObject({
        vehicleId,
        unit: 'km',
        drivingRate: { perDay: 100, source: 'history', distance: 4000, days: 40 },
        latestOdometer: { value: 14_000 },
      });
      const oil = res.body.items.find((i: { itemCode: string }) => i.itemCode === 'OIL_CHANGE');
      // Distance: 6,000 km to go at 100/day from 10 February → 11 April; time: 1 January + 6 months.
      expect(oil).toMatchObject({
        lastPerformed: { date: '2026-01-01', odometer: 10_000, source: 'purchase' },
        timeProjection: { dueDate: '2026-07-01' },
        distanceProjection: {
          dueDate: '2026-04-11',
          targetOdometer: 20_000,
          fromOdometer: 14_000,
          fromDate: '2026-02-10',
        },
        winner: 'distance',
        dueDate: '2026-04-11',
        dueSoonDate: '2026-03-28',
        overdueDate: '2026-05-11',
        stage: 'due_soon',
      });
      const brakes = res.body.items.find((i: { itemCode: string }) => i.itemCode === 'BRAKE_INSPECTION');
      expect(brakes).toMatchObject({
        lastPerformed: { date: '2026-02-10', source: 'performed' },
        distanceProjection: { dueDate: '2026-08-29' },
        timeProjection: { dueDate: '2027-02-10' },
        winner: 'distance',
      });
      const fluid = res.body.items.find((i: { itemCode: string }) => i.itemCode === 'BRAKE_FLUID');
      expect(fluid).toMatchObject({
        timeProjection: { dueDate: '2028-01-01' },
        distanceProjection: { dueDate: null },
        winner: 'time',
      });
      expect(res.body.items.map((i: { itemCode: string }) => i.itemCode)).not.toContain('EV_BATTERY_CHECK');
    });

    it('applies a make override to the projection', async () => {
      const customerId = await insertCustomer(t.db, rooftopId);
      const vehicleId = await insertVehicle(t.db, {
        rooftopId,
        ownerId: customerId,
        purchaseDate: '2026-01-01',
        make: 'Toyota',
        model: 'Hilux',
      });
      await t.db.query(
        `INSERT INTO maintenance_item_override (item_code, make, model, interval_months) VALUES ('OIL_CHANGE', 'toyota', 'HILUX', 3)`,
      );
      const admin = await t.user('admin');
      const res = await t.http
        .get(`/api/v1/vehicles/${vehicleId}/maintenance-due?asOf=2026-03-25T03:00:00Z`)
        .set(bearer(admin.token));
      const oil = res.body.items.find((i: { itemCode: string }) => i.itemCode === 'OIL_CHANGE');
      expect(oil).toMatchObject({
        interval: { months: 3, distance: null, source: 'model' },
        dueDate: '2026-04-01',
        winner: 'time',
        stage: 'due_soon',
      });
      await t.db.query(`DELETE FROM maintenance_item_override`);
    });

    it('answers 404 for a vehicle of a rooftop not granted, and 400 for a bad asOf', async () => {
      const customerId = await insertCustomer(t.db, rooftopId);
      const vehicleId = await insertVehicle(t.db, { rooftopId, ownerId: customerId });
      const other = await t.rooftop();
      const outsider = await t.user('service_advisor', [other.id]);
      expect(
        (await t.http.get(`/api/v1/vehicles/${vehicleId}/maintenance-due`).set(bearer(outsider.token)))
          .status,
      ).toBe(404);
      expect(
        (
          await t.http
            .get(`/api/v1/vehicles/00000000-0000-4000-8000-000000000000/maintenance-due`)
            .set(bearer(outsider.token))
        ).status,
      ).toBe(404);
      const insider = await t.user('service_advisor', [rooftopId]);
      const bad = await t.http
        .get(`/api/v1/vehicles/${vehicleId}/maintenance-due?asOf=yesterday`)
        .set(bearer(insider.token));
      expect(bad.status).toBe(400);
      expect(bad.body.errors.map((e: { field: string }) => e.field)).toEqual(['asOf']);
      const ok = await t.http.get(`/api/v1/vehicles/${vehicleId}/maintenance-due`).set(bearer(insider.token));
      expect(ok.status).toBe(200);
      expect(ok.body.asOf).toBe('2026-05-20T03:00:00.000Z');
    });
  });
});
