import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * service_reminder_stage's references to vehicle and customer, checked once per statement instead of once per row.
 * A foreign key checks every inserted row on its own (a lookup and a FOR KEY SHARE lock of the referenced row): a
 * back-fill of 1 M vehicles inserts ~4.8 M stage rows and made ~9.6 M such checks, as long as all its reads. The
 * same rules as the two foreign keys, set-based:
 *  - an INSERT or UPDATE statement locks the distinct vehicles and customers its rows name (FOR KEY SHARE, as the
 *    foreign key does: a concurrent delete of one of them waits for this transaction) and fails with
 *    foreign_key_violation (23503, the old constraint's name) when one of them does not exist;
 *  - a DELETE of vehicles or customers fails the same way while a stage row names one of them (a delete committed
 *    first makes the insert's lock find nothing: it fails instead).
 *  - TRUNCATE of vehicle or customer fails unless service_reminder_stage is emptied by the same statement.
 * The primary keys of vehicle and customer are never updated (a foreign key would also refuse that; not checked).
 */
export class ReminderStageSetChecks1764000038000 implements MigrationInterface {
  name = 'ReminderStageSetChecks1764000038000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(
      `ALTER TABLE service_reminder_stage DROP CONSTRAINT service_reminder_stage_vehicle_id_fkey`,
    );
    await q.query(
      `ALTER TABLE service_reminder_stage DROP CONSTRAINT service_reminder_stage_customer_id_fkey`,
    );
    await q.query(`
      CREATE FUNCTION service_reminder_stage_check_refs() RETURNS trigger LANGUAGE plpgsql AS $$
      DECLARE
        missing_vehicle uuid;
        missing_customer uuid;
      BEGIN
        WITH named AS (SELECT DISTINCT vehicle_id AS id FROM written),
             locked AS (SELECT v.id FROM vehicle v JOIN named n ON n.id = v.id FOR KEY SHARE OF v)
        SELECT n.id INTO missing_vehicle FROM named n WHERE n.id NOT IN (SELECT id FROM locked) LIMIT 1;
        IF FOUND THEN
          RAISE EXCEPTION 'insert or update on table "service_reminder_stage" violates foreign key constraint "service_reminder_stage_vehicle_id_fkey"'
            USING ERRCODE = 'foreign_key_violation', TABLE = 'service_reminder_stage',
                  CONSTRAINT = 'service_reminder_stage_vehicle_id_fkey',
                  DETAIL = format('Key (vehicle_id)=(%s) is not present in table "vehicle".', missing_vehicle);
        END IF;
        WITH named AS (SELECT DISTINCT customer_id AS id FROM written WHERE customer_id IS NOT NULL),
             locked AS (SELECT c.id FROM customer c JOIN named n ON n.id = c.id FOR KEY SHARE OF c)
        SELECT n.id INTO missing_customer FROM named n WHERE n.id NOT IN (SELECT id FROM locked) LIMIT 1;
        IF FOUND THEN
          RAISE EXCEPTION 'insert or update on table "service_reminder_stage" violates foreign key constraint "service_reminder_stage_customer_id_fkey"'
            USING ERRCODE = 'foreign_key_violation', TABLE = 'service_reminder_stage',
                  CONSTRAINT = 'service_reminder_stage_customer_id_fkey',
                  DETAIL = format('Key (customer_id)=(%s) is not present in table "customer".', missing_customer);
        END IF;
        RETURN NULL;
      END $$`);
    for (const event of ['INSERT', 'UPDATE'])
      await q.query(
        `CREATE TRIGGER service_reminder_stage_refs_${event.toLowerCase()} AFTER ${event} ON service_reminder_stage
           REFERENCING NEW TABLE AS written FOR EACH STATEMENT EXECUTE FUNCTION service_reminder_stage_check_refs()`,
      );
    for (const [table, column] of [
      ['vehicle', 'vehicle_id'],
      ['customer', 'customer_id'],
    ]) {
      await q.query(`
        CREATE FUNCTION ${table}_check_reminder_stages() RETURNS trigger LANGUAGE plpgsql AS $$
        DECLARE
          still_named uuid;
        BEGIN
          SELECT g.id INTO still_named FROM gone g
           WHERE EXISTS (SELECT 1 FROM service_reminder_stage s WHERE s.${column} = g.id) LIMIT 1;
          IF FOUND THEN
            RAISE EXCEPTION 'update or delete on table "${table}" violates foreign key constraint "service_reminder_stage_${column}_fkey" on table "service_reminder_stage"'
              USING ERRCODE = 'foreign_key_violation', TABLE = 'service_reminder_stage',
                    CONSTRAINT = 'service_reminder_stage_${column}_fkey',
                    DETAIL = format('Key (id)=(%s) is still referenced from table "service_reminder_stage".', still_named);
          END IF;
          RETURN NULL;
        END $$`);
      await q.query(
        `CREATE TRIGGER ${table}_reminder_stages_delete AFTER DELETE ON ${table}
           REFERENCING OLD TABLE AS gone FOR EACH STATEMENT EXECUTE FUNCTION ${table}_check_reminder_stages()`,
      );
    }
    // TRUNCATE of vehicle or customer, as with the foreign keys: only with the stage rows emptied in the same statement.
    await q.query(`
      CREATE FUNCTION reminder_stages_check_truncate() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        IF EXISTS (SELECT 1 FROM service_reminder_stage) THEN
          RAISE EXCEPTION 'cannot truncate table "%" referenced by service_reminder_stage', TG_TABLE_NAME
            USING ERRCODE = 'foreign_key_violation', HINT = 'Truncate table "service_reminder_stage" at the same time.';
        END IF;
        RETURN NULL;
      END $$`);
    for (const table of ['vehicle', 'customer'])
      await q.query(
        `CREATE TRIGGER ${table}_reminder_stages_truncate AFTER TRUNCATE ON ${table}
           FOR EACH STATEMENT EXECUTE FUNCTION reminder_stages_check_truncate()`,
      );
  }

  async down(q: QueryRunner): Promise<void> {
    for (const table of ['vehicle', 'customer']) {
      await q.query(`DROP TRIGGER ${table}_reminder_stages_truncate ON ${table}`);
      await q.query(`DROP TRIGGER ${table}_reminder_stages_delete ON ${table}`);
      await q.query(`DROP FUNCTION ${table}_check_reminder_stages()`);
    }
    for (const event of ['insert', 'update'])
      await q.query(`DROP TRIGGER service_reminder_stage_refs_${event} ON service_reminder_stage`);
    await q.query(`DROP FUNCTION reminder_stages_check_truncate()`);
    await q.query(`DROP FUNCTION service_reminder_stage_check_refs()`);
    await q.query(
      `ALTER TABLE service_reminder_stage ADD CONSTRAINT service_reminder_stage_vehicle_id_fkey
         FOREIGN KEY (vehicle_id) REFERENCES vehicle(id)`,
    );
    await q.query(
      `ALTER TABLE service_reminder_stage ADD CONSTRAINT service_reminder_stage_customer_id_fkey
         FOREIGN KEY (customer_id) REFERENCES customer(id)`,
    );
  }
}
