import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The reminder planner skips items a booked appointment of the vehicle names (service-reminders'
 * plan-reminders.sql.ts): one probe per reached stage, served by this partial index.
 */
export class AppointmentVehicleIndex1764000021000 implements MigrationInterface {
  name = 'AppointmentVehicleIndex1764000021000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(
      `CREATE INDEX appointment_vehicle_booked_idx ON appointment (vehicle_id) WHERE state = 'booked'`,
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX appointment_vehicle_booked_idx`);
  }
}
