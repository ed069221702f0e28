import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Indexes for the retention analytics (src/analytics/analytics.queries.ts). Each query there names the
 * index it reads; the ones the feature tables did not already have are added here.
 */
export class Analytics1764000007000 implements MigrationInterface {
  name = 'Analytics1764000007000';

  async up(q: QueryRunner): Promise<void> {
    // Churn ("active" = a closed visit in the trailing 12 months), retention numerators and reminder
    // attribution all scan closed visits by date; INCLUDE keeps them index-only.
    await q.query(
      `CREATE INDEX service_visit_closed_date_idx ON service_visit (visit_date)
         INCLUDE (customer_id, vehicle_id, rooftop_id, customer_pay_amount) WHERE status = 'closed'`,
    );
    // Churn (purchases in the trailing 12 months) and the retention cohort (sold 12–24 months ago).
    await q.query(
      `CREATE INDEX vehicle_purchase_date_idx ON vehicle (purchase_date)
         INCLUDE (owner_id, rooftop_id, selling_rooftop_id) WHERE purchase_date IS NOT NULL`,
    );
    // At-risk: warranty ended in the last 90 days; lease/finance ending within 90 days.
    await q.query(
      `CREATE INDEX vehicle_warranty_end_idx ON vehicle (warranty_end_date) INCLUDE (owner_id)
         WHERE owner_id IS NOT NULL AND warranty_end_date IS NOT NULL`,
    );
    await q.query(
      `CREATE INDEX vehicle_term_end_idx ON vehicle (term_end_date) INCLUDE (owner_id)
         WHERE owner_id IS NOT NULL AND purchase_type IN ('lease','finance')`,
    );
    // At-risk: overdue reminder stages.
    await q.query(
      `CREATE INDEX service_reminder_stage_overdue_idx ON service_reminder_stage (vehicle_id, item_code)
         INCLUDE (cycle_key) WHERE stage = 'overdue'`,
    );
    // Reminder effectiveness: messages sent in the period per rooftop.
    await q.query(
      `CREATE INDEX outbox_message_rooftop_sent_idx ON outbox_message (rooftop_id, sent_at)
         INCLUDE (kind, purpose, customer_id, vehicle_id) WHERE status = 'sent'`,
    );
    // Reminder attribution: "the latest sent message for this customer" (messages without a vehicle).
    await q.query(
      `CREATE INDEX outbox_message_customer_novehicle_sent_idx ON outbox_message (customer_id, sent_at DESC)
         WHERE status = 'sent' AND vehicle_id IS NULL`,
    );
    // Feedback by issue date per rooftop already has survey_rooftop_issued_idx; complaints opened per
    // rooftop have complaint_case_rooftop_idx. Loyalty: earnings and redemptions in a period.
    await q.query(
      `CREATE INDEX loyalty_entry_occurred_idx ON loyalty_entry (occurred_at) INCLUDE (customer_id, type, points)
         WHERE type IN ('earn','redeem')`,
    );
  }

  async down(q: QueryRunner): Promise<void> {
    for (const index of [
      'loyalty_entry_occurred_idx',
      'outbox_message_customer_novehicle_sent_idx',
      'outbox_message_rooftop_sent_idx',
      'service_reminder_stage_overdue_idx',
      'vehicle_term_end_idx',
      'vehicle_warranty_end_idx',
      'vehicle_purchase_date_idx',
      'service_visit_closed_date_idx',
    ]) {
      await q.query(`DROP INDEX IF EXISTS ${index}`);
    }
  }
}
