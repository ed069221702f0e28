import { MaintenanceDueService } from '../src/service-reminders/maintenance-due.service';
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

const SEED = Number(process.env.FLEET_SEED ?? 20261123);
const VEHICLES = 300;
const DAY = 86_400_000;
const CODES = [
  'OIL_CHANGE',
  'TIRE_ROTATION',
  'BRAKE_INSPECTION',
  'CABIN_AIR_FILTER',
  'ENGINE_AIR_FILTER',
  'BRAKE_FLUID',
  'TRANSMISSION_FLUID',
  'COOLANT',
  'SPARK_PLUGS',
  'EV_BATTERY_CHECK',
];

describe('fleet due scan (SQL) equals the pure projection for every vehicle × item', () => {
  let t: TestApp;
  const vehicleIds: string[] = [];
  beforeAll(async () => {
    t = await startTestApp();
    const rand = prng(SEED);
    const pick = <T>(xs: readonly T[]) => xs[Math.floor(rand() * xs.length)];
    const rooftops = [
      (await t.rooftop({ timeZone: 'Asia/Phnom_Penh' })).id,
      (await t.rooftop({ timeZone: 'Asia/Vientiane' })).id,
      (await t.rooftop({ timeZone: 'Pacific/Auckland' })).id,
    ];
    await t.db
      .query(`INSERT INTO maintenance_item_override (item_code, make, model, interval_km, interval_mi, interval_months) VALUES
      ('OIL_CHANGE', 'Toyota', NULL, 7000, 4000, 4), ('OIL_CHANGE', 'toyota', 'hilux', 5000, 3000, NULL),
      ('BRAKE_FLUID', 'Ford', 'Ranger', NULL, NULL, 12), ('TIRE_ROTATION', 'Kia', NULL, 8000, 5000, 5)`);
    await t.db.query(
      `INSERT INTO maintenance_item_override (item_code, make, model, interval_months, active) VALUES ('COOLANT', 'Kia', NULL, 1, false)`,
    );
    const customers = [];
    for (let i = 0; i < 120; i++) customers.push(await insertCustomer(t.db, pick(rooftops)));
    const base = Date.parse('2023-01-01T00:00:00Z');
    for (let i = 0; i < VEHICLES; i++) {
      const purchaseAt = base + Math.floor(rand() * 1000) * DAY;
      const purchaseOdometer = rand() < 0.5 ? 0 : Math.floor(rand() * 80_000);
      const [make, model] = pick([
        ['Toyota', 'Hilux'],
        ['Toyota', 'Camry'],
        ['Ford', 'Ranger'],
        ['Kia', 'Sportage'],
        ['Hyundai', 'Tucson'],
      ] as const);
      const id = await insertVehicle(t.db, {
        rooftopId: pick(rooftops),
        ownerId: pick(customers),
        powertrain: pick(['ice', 'ice', 'hybrid', 'ev'] as const),
        make,
        model,
        purchaseDate: rand() < 0.15 ? null : new Date(purchaseAt).toISOString().slice(0, 10),
        purchaseOdometer,
        createdAt: new Date(purchaseAt + Math.floor(rand() * 30) * DAY + Math.floor(rand() * DAY)),
        vin: randomVin(rand),
      });
      vehicleIds.push(id);
      // Readings: 0–6, increasing, at random times of day (some within a few days of each other).
      let at = purchaseAt;
      let value = purchaseOdometer;
      const n = Math.floor(rand() * 7);
      for (let k = 0; k < n; k++) {
        at +=
          (rand() < 0.3 ? Math.floor(rand() * 20) : Math.floor(rand() * 300)) * DAY +
          Math.floor(rand() * DAY);
        value += Math.floor(rand() * 120 * ((at - purchaseAt) / DAY / (k + 1) + 1));
        await insertReading(t.db, id, value, new Date(at));
      }
      // Performed items: 0–3, some after the instants tested (which must then be ignored).
      const m = Math.floor(rand() * 4);
      for (let k = 0; k < m; k++) {
        const performedAt = purchaseAt + Math.floor(rand() * 1100) * DAY + Math.floor(rand() * DAY);
        await insertPerformed(
          t.db,
          id,
          pick(CODES),
          new Date(performedAt),
          purchaseOdometer + Math.floor(rand() * 60_000),
        );
      }
    }
  });
  afterAll(() => t.close());

  it.each(['2025-06-15T03:00:00Z', '2026-01-31T17:30:00Z', '2026-11-23T12:00:00Z'])(
    'as of %s',
    async (iso) => {
      const asOf = new Date(iso);
      const rows = await t.app.get(ServiceRemindersRepository).scanDue(t.db.manager, asOf, 'km');
      const sql = new Map(rows.map((r) => [`${r.vehicle_id}|${r.item_code}`, r]));
      const due = t.app.get(MaintenanceDueService);
      const mismatches: string[] = [];
      let compared = 0;
      for (const vehicleId of vehicleIds) {
        const list = await due.dueForVehicle(vehicleId, asOf);
        for (const item of list.items) {
          compared += 1;
          const row = sql.get(`${vehicleId}|${item.itemCode}`);
          const expected = {
            stage: item.stage,
            due: item.dueDate,
            time: item.timeProjection.dueDate,
            distance: item.distanceProjection.dueDate,
          };
          const actual = row && {
            stage: row.stage,
            due: row.due_date,
            time: row.time_due,
            distance: row.distance_due,
          };
          if (JSON.stringify(expected) !== JSON.stringify(actual))
            mismatches.push(
              `${vehicleId} ${item.itemCode}: ts ${JSON.stringify(expected)} sql ${JSON.stringify(actual)}`,
            );
          sql.delete(`${vehicleId}|${item.itemCode}`);
        }
      }
      expect(mismatches.slice(0, 5)).toEqual([]);
      expect([...sql.keys()]).toEqual([]);
      expect(compared).toBeGreaterThan(VEHICLES * 5);
      // The planner's prefilter drops no row that reached a stage.
      const reachable = await t.app
        .get(ServiceRemindersRepository)
        .scanDue(t.db.manager, asOf, 'km', { reachableOnly: true });
      const key = (r: (typeof rows)[number]) =>
        `${r.vehicle_id}|${r.item_code}|${r.stage}|${r.due_date}|${r.cycle_key}`;
      expect(reachable.map(key).sort()).toEqual(
        rows
          .filter((r) => r.stage !== 'ok')
          .map(key)
          .sort(),
      );
      // The fleet is varied enough to exercise every stage.
      expect(new Set(rows.map((r) => r.stage)).size).toBeGreaterThanOrEqual(iso.startsWith('2025') ? 3 : 4);
    },
  );
});
