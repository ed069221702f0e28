import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The reminder planner's schedule: per vehicle, the earliest instant at which anything the due projection
 * depends on can change (a stage threshold in the rooftop's local calendar, a reading leaving the rate window,
 * a future-dated reading or performance coming into view). A daily run plans only the vehicles whose instant
 * has come, instead of the whole fleet.
 *
 * Changes to a vehicle's inputs reset its instant to -infinity through triggers (so imports, the CLI and SQL
 * fixes are covered, not only the API) and bump `version`; the planner writes a new instant only where the
 * version is still the one it read, so an invalidation that lands while a run is in flight is never lost.
 * Changes that touch every vehicle (the catalogue, its overrides, a rooftop's time zone) bump the global
 * `generation` instead; the next run then plans the whole fleet.
 */
export class ReminderSchedule1764000009000 implements MigrationInterface {
  name = 'ReminderSchedule1764000009000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE service_reminder_schedule (
        vehicle_id uuid PRIMARY KEY REFERENCES vehicle (id) ON DELETE CASCADE,
        next_check_at timestamptz NOT NULL DEFAULT '-infinity',
        version bigint NOT NULL DEFAULT 0
      )`);
    await q.query(
      `CREATE INDEX service_reminder_schedule_next_idx ON service_reminder_schedule (next_check_at)`,
    );
    await q.query(`INSERT INTO service_reminder_schedule (vehicle_id) SELECT id FROM vehicle`);
    await q.query(`
      CREATE TABLE service_reminder_state (
        id int PRIMARY KEY CHECK (id = 1),
        generation bigint NOT NULL DEFAULT 1,
        planned_generation bigint NOT NULL DEFAULT 0,
        last_as_of timestamptz
      )`);
    await q.query(`INSERT INTO service_reminder_state (id) VALUES (1)`);

    // Per vehicle: the changed rows' vehicles are re-planned (locks taken in vehicle order: no deadlock
    // between two bulk writers).
    await q.query(`
      CREATE FUNCTION service_reminder_recheck_changed() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        UPDATE service_reminder_schedule s SET next_check_at = '-infinity', version = s.version + 1
          FROM (SELECT x.vehicle_id FROM service_reminder_schedule x
                 WHERE x.vehicle_id IN (SELECT vehicle_id FROM changed)
                 ORDER BY x.vehicle_id FOR UPDATE) locked
         WHERE s.vehicle_id = locked.vehicle_id;
        RETURN NULL;
      END $$`);
    for (const table of ['odometer_reading', 'maintenance_performed', 'service_reminder_stage']) {
      for (const [event, transition] of [
        ['INSERT', 'NEW TABLE AS changed'],
        ['UPDATE', 'NEW TABLE AS changed'],
        ['DELETE', 'OLD TABLE AS changed'],
      ]) {
        // Planning itself inserts stage rows: only their removal (an ownership change, an operator) re-plans.
        if (table === 'service_reminder_stage' && event !== 'DELETE') continue;
        await q.query(
          `CREATE TRIGGER ${table}_recheck_${event.toLowerCase()} AFTER ${event} ON ${table}
             REFERENCING ${transition} FOR EACH STATEMENT EXECUTE FUNCTION service_reminder_recheck_changed()`,
        );
      }
    }

    await q.query(`
      CREATE FUNCTION service_reminder_schedule_new_vehicles() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        INSERT INTO service_reminder_schedule (vehicle_id) SELECT id FROM changed ON CONFLICT DO NOTHING;
        RETURN NULL;
      END $$`);
    await q.query(
      `CREATE TRIGGER vehicle_schedule_insert AFTER INSERT ON vehicle
         REFERENCING NEW TABLE AS changed FOR EACH STATEMENT EXECUTE FUNCTION service_reminder_schedule_new_vehicles()`,
    );
    await q.query(`
      CREATE FUNCTION service_reminder_recheck_vehicle() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        UPDATE service_reminder_schedule SET next_check_at = '-infinity', version = version + 1
         WHERE vehicle_id = NEW.id;
        RETURN NULL;
      END $$`);
    await q.query(
      `CREATE TRIGGER vehicle_schedule_recheck AFTER UPDATE ON vehicle FOR EACH ROW
         WHEN ((OLD.owner_id, OLD.status, OLD.powertrain, OLD.make, OLD.model, OLD.rooftop_id, OLD.purchase_date,
                OLD.purchase_odometer, OLD.created_at)
               IS DISTINCT FROM
               (NEW.owner_id, NEW.status, NEW.powertrain, NEW.make, NEW.model, NEW.rooftop_id, NEW.purchase_date,
                NEW.purchase_odometer, NEW.created_at))
         EXECUTE FUNCTION service_reminder_recheck_vehicle()`,
    );

    // Fleet-wide: the next run plans every vehicle.
    await q.query(`
      CREATE FUNCTION service_reminder_replan_fleet() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        UPDATE service_reminder_state SET generation = generation + 1 WHERE id = 1;
        RETURN NULL;
      END $$`);
    for (const table of ['maintenance_item', 'maintenance_item_override']) {
      await q.query(
        `CREATE TRIGGER ${table}_replan_fleet AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON ${table}
           FOR EACH STATEMENT EXECUTE FUNCTION service_reminder_replan_fleet()`,
      );
    }
    await q.query(
      `CREATE TRIGGER rooftop_replan_fleet AFTER UPDATE ON rooftop FOR EACH ROW
         WHEN (OLD.time_zone IS DISTINCT FROM NEW.time_zone)
         EXECUTE FUNCTION service_reminder_replan_fleet()`,
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TRIGGER IF EXISTS rooftop_replan_fleet ON rooftop`);
    for (const table of ['maintenance_item', 'maintenance_item_override'])
      await q.query(`DROP TRIGGER IF EXISTS ${table}_replan_fleet ON ${table}`);
    await q.query(`DROP TRIGGER IF EXISTS vehicle_schedule_recheck ON vehicle`);
    await q.query(`DROP TRIGGER IF EXISTS vehicle_schedule_insert ON vehicle`);
    for (const table of ['odometer_reading', 'maintenance_performed', 'service_reminder_stage'])
      for (const event of ['insert', 'update', 'delete'])
        await q.query(`DROP TRIGGER IF EXISTS ${table}_recheck_${event} ON ${table}`);
    await q.query(`DROP FUNCTION IF EXISTS service_reminder_replan_fleet()`);
    await q.query(`DROP FUNCTION IF EXISTS service_reminder_recheck_vehicle()`);
    await q.query(`DROP FUNCTION IF EXISTS service_reminder_schedule_new_vehicles()`);
    await q.query(`DROP FUNCTION IF EXISTS service_reminder_recheck_changed()`);
    await q.query(`DROP TABLE IF EXISTS service_reminder_state`);
    await q.query(`DROP TABLE IF EXISTS service_reminder_schedule`);
  }
}
