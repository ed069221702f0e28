import { ServiceRemindersPlanner } from '../src/service-reminders/service-reminders.planner';
import { ServiceRemindersRepository } from '../src/service-reminders/service-reminders.repository';
import {
  insertCustomer,
  insertPerformed,
  insertReading,
  insertVehicle,
  prng,
  randomVin,
} from './service-reminders-fixtures';
import { startTestApp, TestApp } from './support/test-app';

const SEED = Number(process.env.SCHEDULE_SEED ?? 20261124);
const VEHICLES = 150;
const DAY = 86_400_000;
const CODES = [
  'OIL_CHANGE',
  'TIRE_ROTATION',
  'BRAKE_INSPECTION',
  'CABIN_AIR_FILTER',
  'BRAKE_FLUID',
  'COOLANT',
];

/**
 * The planner's schedule (migration 1764000009000): a daily run plans only the vehicles whose next check has
 * come. Over a randomised fleet and 18 months of runs at irregular intervals, with readings, services (some
 * future-dated), owner changes, vehicles sold away and back, and catalogue edits between runs, a whole-fleet
 * plan as of the same instant (rolled back) must find nothing the scheduled run did not already plan.
 */
describe('reminder planning on a schedule finds everything a whole-fleet scan finds', () => {
  let t: TestApp;
  const vehicles: { id: string; odometer: number; lastReadAt: number }[] = [];
  const customers: string[] = [];
  const rand = prng(SEED);
  const pick = <T>(xs: readonly T[]) => xs[Math.floor(rand() * xs.length)];

  beforeAll(async () => {
    t = await startTestApp();
    const rooftops = [
      (await t.rooftop({ timeZone: 'Asia/Phnom_Penh' })).id,
      (await t.rooftop({ timeZone: 'Asia/Vientiane' })).id,
      (await t.rooftop({ timeZone: 'Pacific/Auckland' })).id,
    ];
    for (let i = 0; i < 60; i++) customers.push(await insertCustomer(t.db, pick(rooftops)));
    const base = Date.parse('2023-06-01T00:00:00Z');
    for (let i = 0; i < VEHICLES; i++) {
      const purchaseAt = base + Math.floor(rand() * 550) * DAY;
      const odometer = rand() < 0.5 ? 0 : Math.floor(rand() * 60_000);
      const id = await insertVehicle(t.db, {
        rooftopId: pick(rooftops),
        ownerId: pick(customers),
        powertrain: pick(['ice', 'ice', 'hybrid', 'ev'] as const),
        make: pick(['Toyota', 'Ford', 'Kia', 'Hyundai']),
        model: pick(['Hilux', 'Ranger', 'Sportage', 'Tucson']),
        purchaseDate: rand() < 0.15 ? null : new Date(purchaseAt).toISOString().slice(0, 10),
        purchaseOdometer: odometer,
        createdAt: new Date(purchaseAt + Math.floor(rand() * DAY)),
        vin: randomVin(rand),
      });
      const v = { id, odometer, lastReadAt: purchaseAt };
      for (let k = Math.floor(rand() * 4); k > 0; k--) await addReading(v, purchaseAt + rand() * 500 * DAY);
      vehicles.push(v);
    }
  });
  afterAll(() => t.close());

  async function addReading(v: (typeof vehicles)[number], at: number) {
    const readAt = Math.max(at, v.lastReadAt + DAY);
    v.odometer += Math.floor(((readAt - v.lastReadAt) / DAY) * (10 + rand() * 90));
    v.lastReadAt = readAt;
    await insertReading(t.db, v.id, v.odometer, new Date(readAt));
  }

  /** Random changes between two runs, as the service desk, sales and an admin would make them. */
  async function mutate(asOf: number) {
    for (let n = Math.floor(rand() * 8); n > 0; n--)
      await addReading(pick(vehicles), asOf - rand() * 3 * DAY);
    for (let n = Math.floor(rand() * 4); n > 0; n--) {
      const v = pick(vehicles);
      // Some services are logged ahead (future-dated); the planner must notice them once they are due.
      const at = asOf + (rand() < 0.25 ? rand() * 20 * DAY : -rand() * 5 * DAY);
      await insertPerformed(t.db, v.id, pick(CODES), new Date(at), v.odometer);
    }
    if (rand() < 0.3) {
      const v = pick(vehicles);
      const [{ owner_id: previous }] = await t.db.query(`SELECT owner_id FROM vehicle WHERE id = $1`, [v.id]);
      await t.db.query(`UPDATE vehicle SET owner_id = $2 WHERE id = $1`, [v.id, pick(customers)]);
      // What the ownership-change handler does: the previous owner's stage records go.
      await t.db.query(`DELETE FROM service_reminder_stage WHERE vehicle_id = $1 AND customer_id = $2`, [
        v.id,
        previous,
      ]);
    }
    if (rand() < 0.15)
      await t.db.query(
        `UPDATE vehicle SET status = CASE status WHEN 'active' THEN 'sold_away' ELSE 'active' END WHERE id = $1`,
        [pick(vehicles).id],
      );
    if (rand() < 0.05)
      await t.db.query(
        `INSERT INTO maintenance_item_override (item_code, make, model, interval_km, interval_mi, interval_months)
         VALUES ($1, $2, NULL, $3, $4, $5)
         ON CONFLICT (item_code, lower(make), lower(coalesce(model, ''))) DO UPDATE
           SET interval_km = excluded.interval_km, interval_mi = excluded.interval_mi, interval_months = excluded.interval_months`,
        [
          pick(CODES),
          pick(['Toyota', 'Kia']),
          5_000 + Math.floor(rand() * 10) * 1_000,
          3_000 + Math.floor(rand() * 6) * 1_000,
          3 + Math.floor(rand() * 9),
        ],
      );
  }

  it('over 18 months of irregular runs, a whole-fleet plan at each run finds nothing left to plan', async () => {
    const planner = t.app.get(ServiceRemindersPlanner);
    const repository = t.app.get(ServiceRemindersRepository);
    let asOf = Date.parse('2025-01-06T02:00:00Z');
    const end = Date.parse('2026-07-01T00:00:00Z');
    const runs: { scope: string; checked: number; planned: number }[] = [];
    const missed: string[] = [];
    while (asOf < end) {
      await mutate(asOf);
      const at = new Date(asOf);
      const result = await planner.plan(at);
      runs.push({ scope: result.scope, checked: result.vehiclesChecked, planned: result.stagesPlanned });
      // The reference: every vehicle, as of the same instant, in a transaction that is rolled back.
      const qr = t.db.createQueryRunner();
      await qr.startTransaction();
      try {
        const fleet = await repository.planDue(qr.manager, at, 'km', { fleet: true });
        if (fleet.stagesPlanned + fleet.stagesSkipped + fleet.messagesPlanned > 0)
          missed.push(`${at.toISOString()}: ${JSON.stringify(fleet)}`);
      } finally {
        await qr.rollbackTransaction();
        await qr.release();
      }
      // Irregular steps: mostly daily, sometimes a week or more without a run.
      asOf += (rand() < 0.7 ? 1 : 2 + Math.floor(rand() * 9)) * DAY + Math.floor(rand() * 6) * 3_600_000;
    }

    expect(missed).toEqual([]);
    const scheduled = runs.filter((r) => r.scope === 'scheduled');
    // Enough happened to mean something: many stages planned, by many scheduled runs.
    expect(runs.reduce((n, r) => n + r.planned, 0)).toBeGreaterThan(VEHICLES);
    expect(scheduled.filter((r) => r.planned > 0).length).toBeGreaterThan(50);
    // And the schedule did its job: a scheduled run checks a small part of the fleet on average.
    const averageChecked = scheduled.reduce((n, r) => n + r.checked, 0) / scheduled.length;
    expect(averageChecked).toBeLessThan(VEHICLES / 4);
    // The first run, and the runs after a catalogue edit, planned the whole fleet.
    expect(runs[0].scope).toBe('fleet');
  }, 300_000);

  it('re-checks a vehicle when its oldest reading leaves the 24-month rate window', async () => {
    const planner = t.app.get(ServiceRemindersPlanner);
    const rooftopId = (await t.rooftop({ timeZone: 'Asia/Phnom_Penh' })).id;
    await t.db.query(
      `INSERT INTO maintenance_item_override (item_code, make, model, interval_km, interval_mi) VALUES ('SPARK_PLUGS', 'Honda', NULL, 20000, 12000)`,
    );
    const vehicleId = await insertVehicle(t.db, {
      rooftopId,
      ownerId: await insertCustomer(t.db, rooftopId),
      make: 'Honda',
      model: 'City',
      purchaseDate: '2024-01-01',
      purchaseOdometer: 0,
    });
    // 50 km in 51 days: spark plugs (20,000 km) are decades away. Once the 2024-01-10 reading leaves the
    // window (2026-01-10), one reading is left, the default 40 km/day applies, and they were due in July 2025.
    await insertReading(t.db, vehicleId, 100, '2024-01-10T00:00:00Z');
    await insertReading(t.db, vehicleId, 150, '2024-03-01T00:00:00Z');
    const sparkPlugs = () =>
      t.db.query(
        `SELECT stage, status FROM service_reminder_stage WHERE vehicle_id = $1 AND item_code = 'SPARK_PLUGS'`,
        [vehicleId],
      );
    await planner.plan(new Date('2026-01-05T02:00:00Z'));
    expect(await sparkPlugs()).toEqual([]);
    const [{ next_check_at }] = await t.db.query(
      `SELECT next_check_at FROM service_reminder_schedule WHERE vehicle_id = $1`,
      [vehicleId],
    );
    expect(new Date(next_check_at).toISOString()).toBe('2026-01-10T00:00:00.000Z');
    expect(await planner.plan(new Date('2026-01-11T02:00:00Z'))).toMatchObject({ scope: 'scheduled' });
    expect(await sparkPlugs()).toEqual(expect.arrayContaining([{ stage: 'overdue', status: 'planned' }]));
  });

  it('plans the whole fleet after a catalogue change, and only the changed vehicle after a new reading', async () => {
    const planner = t.app.get(ServiceRemindersPlanner);
    const at = new Date('2026-07-10T02:00:00Z');
    await planner.plan(at);
    expect(await planner.plan(at)).toMatchObject({ scope: 'scheduled', vehiclesChecked: 0 });
    await addReading(vehicles[0], at.getTime() - DAY);
    expect(await planner.plan(at)).toMatchObject({ scope: 'scheduled', vehiclesChecked: 1 });
    await t.db.query(
      `UPDATE maintenance_item SET interval_months = interval_months WHERE code = 'OIL_CHANGE'`,
    );
    const after = await planner.plan(at);
    expect(after.scope).toBe('fleet');
    const [{ n }] = await t.db.query(`SELECT count(*)::int AS n FROM vehicle`);
    expect(after.vehiclesChecked).toBe(n);
    // A run back in time cannot trust a schedule computed forward of it.
    expect((await planner.plan(new Date('2026-07-01T02:00:00Z'))).scope).toBe('fleet');
  });
});
