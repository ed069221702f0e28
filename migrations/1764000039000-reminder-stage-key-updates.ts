import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The last rule of the foreign keys that 1764000038000 replaced with set-based checks: a vehicle's or customer's
 * primary key cannot change while a service_reminder_stage row names it (foreign_key_violation, 23503, under the
 * old constraint's name). A row trigger on `UPDATE OF id` with a WHEN on the key itself: it is not even
 * considered for an update that leaves `id` out of its SET list, and does nothing when `id` is set to itself.
 */
const REFERENCES = [
  ['vehicle', 'vehicle_id'],
  ['customer', 'customer_id'],
] as const;

export class ReminderStageKeyUpdates1764000039000 implements MigrationInterface {
  name = 'ReminderStageKeyUpdates1764000039000';

  async up(q: QueryRunner): Promise<void> {
    for (const [table, column] of REFERENCES) {
      await q.query(`
        CREATE FUNCTION ${table}_reminder_stages_key_update() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
          IF EXISTS (SELECT 1 FROM service_reminder_stage s WHERE s.${column} = OLD.id) THEN
            RAISE EXCEPTION 'update or delete on table "${table}" violates foreign key constraint "service_reminder_stage_${column}_fkey" on table "service_reminder_stage"'
              USING ERRCODE = 'foreign_key_violation', TABLE = 'service_reminder_stage',
                    CONSTRAINT = 'service_reminder_stage_${column}_fkey',
                    DETAIL = format('Key (id)=(%s) is still referenced from table "service_reminder_stage".', OLD.id);
          END IF;
          RETURN NULL;
        END $$`);
      await q.query(
        `CREATE TRIGGER ${table}_reminder_stages_key_update AFTER UPDATE OF id ON ${table}
           FOR EACH ROW WHEN (OLD.id IS DISTINCT FROM NEW.id) EXECUTE FUNCTION ${table}_reminder_stages_key_update()`,
      );
    }
  }

  async down(q: QueryRunner): Promise<void> {
    for (const [table] of REFERENCES) {
      await q.query(`DROP TRIGGER ${table}_reminder_stages_key_update ON ${table}`);
      await q.query(`DROP FUNCTION ${table}_reminder_stages_key_update()`);
    }
  }
}
