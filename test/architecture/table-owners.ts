/**
 * The ownership map (issue 13), the single source that docs/architecture.md states and
 * table-ownership.e2e-spec.ts enforces. Each table has ONE owning module (a folder under src/); only
 * that module's code writes it. Other modules call the owner's exported service or emit an event the
 * owner listens to; planners and analytics may read other modules' tables set-based, never write them.
 *
 * A new migration's table fails the test until it has an owner here (and a row in the doc).
 */
export const TABLE_OWNERS: Record<string, string> = {
  rooftop: 'rooftops',
  app_user: 'users',
  user_rooftop: 'users',
  api_key: 'auth',
  login_throttle: 'auth',
  audit_log: 'audit',
  customer: 'customers',
  consent: 'customers',
  interaction: 'customers',
  import_job: 'customers',
  erased_external_id: 'customers',
  vehicle: 'vehicles',
  vehicle_ownership: 'vehicles',
  odometer_reading: 'vehicles',
  outbox_message: 'messaging',
  message_attempt: 'messaging',
  message_provider_ref: 'messaging',
  inbound_message: 'messaging',
  telegram_update: 'messaging',
  short_link: 'messaging',
  job_run: 'jobs',
  maintenance_item: 'maintenance-catalogue',
  maintenance_item_override: 'maintenance-catalogue',
  service_reminder_stage: 'service-reminders',
  service_reminder_schedule: 'service-reminders',
  service_reminder_state: 'service-reminders',
  service_visit: 'service-visits',
  service_visit_line: 'service-visits',
  maintenance_performed: 'service-visits',
  service_visit_idempotency: 'service-visits',
  loyalty_account: 'loyalty-program',
  loyalty_entry: 'loyalty-program',
  loyalty_allocation: 'loyalty-program',
  loyalty_reward: 'loyalty-program',
  loyalty_redemption: 'loyalty-program',
  loyalty_idempotency: 'loyalty-program',
  referral: 'loyalty-program',
  survey: 'feedback',
  complaint_case: 'feedback',
  complaint_note: 'feedback',
  task: 'tasks',
  customer_risk: 'analytics',
  customer_risk_run: 'analytics',
  service_calendar: 'appointments',
  appointment_slot: 'appointments',
  appointment: 'appointments',
  appointment_idempotency: 'appointments',
};

/**
 * Folders that may write any table, and why. They are tools around the modules, not modules: nothing
 * in a module imports them.
 */
export const WRITES_ANY_TABLE: Record<string, string> = {
  cli: 'restore (src/cli/backup) loads a backup into every table with COPY; the composition root of the CLI',
  'demo-seed': 'the demo seed fills an empty database with a demo dealership, set-based, outside the app',
};
