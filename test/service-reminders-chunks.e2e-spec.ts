import { EntityManager } from 'typeorm';
import { ServiceRemindersPlanner } from '../src/service-reminders/service-reminders.planner';
import { ServiceRemindersRepository } from '../src/service-reminders/service-reminders.repository';
import {
  clearFleet,
  insertCustomer,
  insertPerformed,
  insertReading,
  insertVehicle,
  prng,
  randomVin,
} from './service-reminders-fixtures';
import { startTestApp, TestApp } from './support/test-app';

const SEED = Number(process.env.CHUNKS_SEED ?? 20261207);
const DAY = 86_400_000;
const tick = () => new Promise((r) => setTimeout(r, 20));
const AS_OF = new Date('2026-06-15T03:00:00Z');

interface Digest {
  customer_id: string;
  items: { stageId: string; vehicleId: string; itemCode: string; stage: string; dueDate: string }[];
}

/**
 * A whole-fleet run (the back-fill, a catalogue change) is cut into statements over owner id ranges of about
 * `chunkVehicles` vehicles, each in its own transaction. Whatever the cut, it must plan exactly what one statement
 * over the whole fleet plans: the same stage rows, and one digest per customer with all of that customer's items.
 */
describe('a whole-fleet reminder run cut into owner ranges', () => {
  let t: TestApp;
  let planner: ServiceRemindersPlanner;
  let repository: ServiceRemindersRepository;
  let rooftops: string[];
  beforeAll(async () => {
    t = await startTestApp();
    planner = t.app.get(ServiceRemindersPlanner);
    repository = t.app.get(ServiceRemindersRepository);
    rooftops = [
      (await t.rooftop({ timeZone: 'Asia/Phnom_Penh' })).id,
      (await t.rooftop({ timeZone: 'Pacific/Auckland' })).id,
    ];
  });
  afterAll(() => t.close());

  /** 40 customers owning 0–4 vehicles each (so that range bounds fall inside customers), 6 without an owner. */
  async function fleet() {
    await clearFleet(t.db);
    await t.db.query(`UPDATE service_reminder_state SET planned_generation = 0, last_as_of = NULL`);
    const rand = prng(SEED);
    const base = Date.parse('2023-01-01T00:00:00Z');
    const vehicles: string[] = [];
    for (let c = 0; c < 46; c++) {
      const rooftopId = rooftops[c % 2];
      const ownerId = c < 40 ? await insertCustomer(t.db, rooftopId) : null;
      for (let n = ownerId ? Math.floor(rand() * 5) : 1; n > 0; n--) {
        const purchaseAt = base + Math.floor(rand() * 1200) * DAY;
        const id = await insertVehicle(t.db, {
          rooftopId,
          ownerId,
          powertrain: (['ice', 'hybrid', 'ev'] as const)[Math.floor(rand() * 3)],
          purchaseDate: new Date(purchaseAt).toISOString().slice(0, 10),
          vin: randomVin(rand),
        });
        vehicles.push(id);
        if (rand() < 0.7)
          await insertReading(
            t.db,
            id,
            5_000 + Math.floor(rand() * 40_000),
            new Date(purchaseAt + 200 * DAY),
          );
        if (rand() < 0.5)
          await insertPerformed(t.db, id, 'OIL_CHANGE', new Date(purchaseAt + 150 * DAY), 4_000);
      }
    }
    return vehicles;
  }

  /** What a run wrote, in a comparable form (stage ids differ between runs; digests are compared by content). */
  async function written(m: EntityManager) {
    const stages: { key: string }[] = await m.query(
      `SELECT concat_ws('|', vehicle_id, item_code, cycle_key, stage, status, customer_id, due_date) AS key
         FROM service_reminder_stage ORDER BY 1`,
    );
    const digests: Digest[] = await m.query(
      `SELECT customer_id, payload -> 'items' AS items FROM outbox_message WHERE kind = 'service_reminder'`,
    );
    const schedule: { key: string }[] = await m.query(
      `SELECT concat_ws('|', vehicle_id, next_check_at) AS key FROM service_reminder_schedule ORDER BY 1`,
    );
    return {
      stages: stages.map((s) => s.key),
      digests: digests
        .map(
          (d) =>
            `${d.customer_id}: ${d.items.map((i) => `${i.vehicleId} ${i.itemCode} ${i.stage}`).join(', ')}`,
        )
        .sort(),
      schedule: schedule.map((s) => s.key),
    };
  }

  /** A whole-fleet plan in a transaction that is rolled back: what it wrote, and its counts. */
  async function rolledBack(chunkVehicles: number) {
    const qr = t.db.createQueryRunner();
    await qr.startTransaction();
    try {
      const counts = await repository.planDue(qr.manager, AS_OF, 'km', { fleet: true, chunkVehicles });
      return { counts, written: await written(qr.manager) };
    } finally {
      await qr.rollbackTransaction();
      await qr.release();
    }
  }

  it('plans the same stages, digests and checks however the fleet is cut, one digest per customer', async () => {
    const vehicles = await fleet();
    const whole = await rolledBack(1_000);
    expect(whole.counts).toMatchObject({ scope: 'fleet', vehiclesChecked: vehicles.length });
    expect(whole.counts.messagesPlanned).toBeGreaterThan(20);
    for (const chunkVehicles of [1, 3, 7]) {
      const cut = await rolledBack(chunkVehicles);
      expect(cut.counts).toEqual(whole.counts);
      expect(cut.written).toEqual(whole.written);
    }
    // One digest per customer: a customer's vehicles never straddle two ranges.
    const customers = whole.written.digests.map((d) => d.split(':')[0]);
    expect(new Set(customers).size).toBe(customers.length);
    // Every vehicle got its next check; those without an owner (the last range) wait for a change to their row.
    expect(whole.written.schedule.filter((s) => s.endsWith('|-infinity'))).toEqual([]);
    const ownerless: { id: string }[] = await t.db.query(`SELECT id FROM vehicle WHERE owner_id IS NULL`);
    expect(ownerless).toHaveLength(6);
    for (const { id } of ownerless) expect(whole.written.schedule).toContain(`${id}|infinity`);
  });

  it('plans two ranges at a time, each in a transaction of its own, as one statement would', async () => {
    await fleet();
    const reference = await rolledBack(1_000);
    let transactions = 0;
    let open = 0;
    let mostOpen = 0;
    const counts = await repository.planDueInTransactions(
      async (work) => {
        transactions++;
        return t.db.transaction(async (m) => {
          mostOpen = Math.max(mostOpen, ++open);
          try {
            return await work(m);
          } finally {
            open--;
          }
        });
      },
      AS_OF,
      'km',
      { chunkVehicles: 3, lanes: 2 },
    );
    expect(counts).toEqual(reference.counts);
    expect(await written(t.db.manager)).toEqual(reference.written);
    // The run's transaction and two ranges at once; one transaction per range.
    expect(mostOpen).toBe(3);
    expect(transactions).toBeGreaterThan(10);
  });

  it('marks the run planned only once every range has committed, whichever finishes last', async () => {
    await fleet();
    // How many transactions a run with this cut takes (the run's own, then one per range).
    let calls = 0;
    await repository.planDueInTransactions(
      (work) => {
        calls++;
        return t.db.transaction(work);
      },
      AS_OF,
      'km',
      { chunkVehicles: 8, lanes: 2 },
    );
    await fleet();
    const reference = await rolledBack(1_000);
    // The first range (the second transaction) waits until the last range has committed, then fails.
    let lastCommitted!: () => void;
    const last = new Promise<void>((resolve) => (lastCommitted = resolve));
    let transactions = 0;
    const failing = await repository
      .planDueInTransactions(
        async (work) => {
          const n = ++transactions;
          if (n === 2) {
            await last;
            throw new Error('connection lost');
          }
          const result = await t.db.transaction(work);
          if (n === calls) lastCommitted();
          return result;
        },
        AS_OF,
        'km',
        { chunkVehicles: 8, lanes: 2 },
      )
      .catch((e: Error) => e.message);
    expect(failing).toBe('connection lost');
    const [{ partial }] = await t.db.query(`SELECT count(*)::int AS partial FROM outbox_message`);
    expect(partial).toBeLessThan(reference.counts.messagesPlanned);
    // Not marked planned: the next run plans the whole fleet and writes only what the first range missed.
    const rest = await planner.plan(AS_OF, { chunkVehicles: 8 });
    expect(rest.scope).toBe('fleet');
    expect(rest.messagesPlanned).toBe(reference.counts.messagesPlanned - partial);
    expect(await written(t.db.manager)).toEqual(reference.written);
  });

  it("holds the planners' lock for the whole run: a planner started meanwhile waits, then has nothing to plan", async () => {
    await fleet();
    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    let transactions = 0;
    const first = repository.planDueInTransactions(
      async (work) => {
        // The first range waits (before its transaction starts) until released.
        if (++transactions === 2) await held;
        return t.db.transaction(work);
      },
      AS_OF,
      'km',
      { chunkVehicles: 8, lanes: 2 },
    );
    while (transactions < 2) await tick();
    let secondDone = false;
    const second = planner.plan(AS_OF, { chunkVehicles: 8 }).finally(() => (secondDone = true));
    for (;;) {
      const [{ waiting }] = await t.db.query(
        `SELECT count(*)::int AS waiting FROM pg_locks WHERE locktype = 'advisory' AND NOT granted`,
      );
      if (waiting > 0 || secondDone) break;
      await tick();
    }
    expect(secondDone).toBe(false);
    release();
    const [a, b] = await Promise.all([first, second]);
    expect(a.scope).toBe('fleet');
    expect(a.messagesPlanned).toBeGreaterThan(0);
    expect(b).toMatchObject({ scope: 'scheduled', stagesPlanned: 0, messagesPlanned: 0 });
  });

  it('checks the vehicle and customer a stage row names once per statement, as the foreign keys did', async () => {
    await fleet();
    await planner.plan(AS_OF, { chunkVehicles: 50 });
    const [row]: { id: string; vehicle_id: string; customer_id: string }[] = await t.db.query(
      `SELECT id, vehicle_id, customer_id FROM service_reminder_stage ORDER BY id LIMIT 1`,
    );
    const nobody = '00000000-0000-4000-8000-00000000dead';
    const refused = (constraint: string) => ({
      driverError: expect.objectContaining({ code: '23503', constraint }),
    });
    const vehicleKey = refused('service_reminder_stage_vehicle_id_fkey');
    const customerKey = refused('service_reminder_stage_customer_id_fkey');
    const insert = (vehicleId: string, customerId: string | null) =>
      t.db.query(
        `INSERT INTO service_reminder_stage (vehicle_id, item_code, cycle_key, stage, status, customer_id, as_of)
         VALUES ($1, 'COOLANT', 'test', 'due', 'planned', $2, now()), ($3, 'COOLANT', 'test-2', 'due', 'planned', null, now())`,
        [vehicleId, customerId, row.vehicle_id],
      );
    await expect(insert(nobody, row.customer_id)).rejects.toMatchObject(vehicleKey);
    await expect(insert(row.vehicle_id, nobody)).rejects.toMatchObject(customerKey);
    await expect(
      t.db.query(`UPDATE service_reminder_stage SET vehicle_id = $1 WHERE id = $2`, [nobody, row.id]),
    ).rejects.toMatchObject(vehicleKey);
    // A vehicle or customer still named cannot be deleted (nor truncated away), another one can.
    const customerId = await insertCustomer(t.db, rooftops[0]);
    await t.db.query(`UPDATE service_reminder_stage SET customer_id = $1 WHERE id = $2`, [
      customerId,
      row.id,
    ]);
    await expect(t.db.query(`DELETE FROM customer WHERE id = $1`, [customerId])).rejects.toMatchObject(
      customerKey,
    );
    const vehicleId = await insertVehicle(t.db, { rooftopId: rooftops[0], ownerId: null });
    await t.db.query(`UPDATE service_reminder_stage SET vehicle_id = $1 WHERE id = $2`, [vehicleId, row.id]);
    await expect(t.db.query(`DELETE FROM vehicle WHERE id = $1`, [vehicleId])).rejects.toMatchObject(
      vehicleKey,
    );
    // Nor can its primary key change (another column can, and so can a key nothing names). The vehicles' schedule
    // rows go first: their foreign key would refuse the change before the stage rows' check is reached.
    const elsewhere = '00000000-0000-4000-8000-00000000beef';
    const movable = await insertVehicle(t.db, { rooftopId: rooftops[0], ownerId: null });
    await t.db.query(`DELETE FROM service_reminder_schedule WHERE vehicle_id = ANY($1)`, [
      [vehicleId, movable],
    ]);
    await expect(
      t.db.query(`UPDATE vehicle SET id = $1 WHERE id = $2`, [elsewhere, vehicleId]),
    ).rejects.toMatchObject(vehicleKey);
    await expect(
      t.db.query(`UPDATE customer SET id = $1 WHERE id = $2`, [elsewhere, customerId]),
    ).rejects.toMatchObject(customerKey);
    await t.db.query(`UPDATE vehicle SET id = id, updated_at = now() WHERE id = $1`, [vehicleId]);
    await t.db.query(`UPDATE vehicle SET id = $1 WHERE id = $2`, [elsewhere, movable]);
    await t.db.query(`DELETE FROM vehicle WHERE id = $1`, [elsewhere]);
    await expect(t.db.query(`TRUNCATE vehicle CASCADE`)).rejects.toMatchObject({
      driverError: expect.objectContaining({ code: '23503' }),
    });
    const spare = await insertCustomer(t.db, rooftops[0]);
    await t.db.query(`DELETE FROM customer WHERE id = $1`, [spare]);
    const spareVehicle = await insertVehicle(t.db, { rooftopId: rooftops[0], ownerId: null });
    await t.db.query(`DELETE FROM vehicle WHERE id = $1`, [spareVehicle]);
    await insert(row.vehicle_id, customerId);
    const [{ n }] = await t.db.query(
      `SELECT count(*)::int AS n FROM service_reminder_stage WHERE cycle_key LIKE 'test%'`,
    );
    expect(n).toBe(2);
  });

  it('back-fills in one transaction per range, and a re-run (fleet or scheduled) inserts nothing', async () => {
    await fleet();
    const first = await planner.plan(AS_OF, { chunkVehicles: 5 });
    expect(first.scope).toBe('fleet');
    expect(first.stagesPlanned).toBeGreaterThan(0);
    const [{ digests, customers }] = await t.db.query(
      `SELECT count(*)::int AS digests, count(DISTINCT customer_id)::int AS customers FROM outbox_message`,
    );
    expect(digests).toBe(first.messagesPlanned);
    expect(digests).toBe(customers);
    const nothing = { stagesPlanned: 0, stagesSkipped: 0, messagesPlanned: 0 };
    expect(await planner.plan(AS_OF)).toMatchObject({ scope: 'scheduled', ...nothing });
    await t.db.query(`UPDATE service_reminder_state SET generation = generation + 1`);
    expect(await planner.plan(AS_OF, { chunkVehicles: 5 })).toMatchObject({ scope: 'fleet', ...nothing });
  });

  it('finishes a whole-fleet run cut short on the next run, without planning anything twice', async () => {
    await fleet();
    const reference = await rolledBack(1_000);
    let transactions = 0;
    const failing = await repository
      .planDueInTransactions(
        async (work) => {
          // The third range fails (the first two, two at a time, are committed): the run is not marked planned.
          if (++transactions === 4) throw new Error('connection lost');
          return t.db.transaction(work);
        },
        AS_OF,
        'km',
        { chunkVehicles: 8 },
      )
      .catch((e: Error) => e.message);
    expect(failing).toBe('connection lost');
    const [{ partial }] = await t.db.query(`SELECT count(*)::int AS partial FROM outbox_message`);
    expect(partial).toBeGreaterThan(0);
    expect(partial).toBeLessThan(reference.counts.messagesPlanned);
    const rest = await planner.plan(AS_OF, { chunkVehicles: 8 });
    expect(rest.scope).toBe('fleet');
    expect(rest.messagesPlanned).toBe(reference.counts.messagesPlanned - partial);
    expect(await written(t.db.manager)).toEqual(reference.written);
    expect(await planner.plan(AS_OF)).toMatchObject({ scope: 'scheduled', messagesPlanned: 0 });
  });
});
