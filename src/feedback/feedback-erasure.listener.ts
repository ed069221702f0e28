import { Injectable, OnModuleInit } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { DomainEvents } from '../common/domain-events';

const ERASED_TEXT = '[erased]';

/**
 * Erasure of a customer, the feedback side, in the erasure's transaction: a survey comment is the
 * customer's own words (dropped; the scores stay for NPS and CSAT); a complaint's summary, resolution and
 * notes describe them (blanked; the case, its states and deadlines stay for the SLA figures).
 */
@Injectable()
export class FeedbackErasureListener implements OnModuleInit {
  constructor(private readonly events: DomainEvents) {}

  onModuleInit() {
    this.events.on('customer.erased', (m, e) => this.erase(m, e.customerId, e.at));
  }

  async erase(m: EntityManager, customerId: string, at: Date): Promise<void> {
    await m.query(`UPDATE survey SET comment = NULL WHERE customer_id = $1 AND comment IS NOT NULL`, [
      customerId,
    ]);
    await m.query(
      `UPDATE complaint_note n SET body = '${ERASED_TEXT}'
         FROM complaint_case c WHERE c.id = n.case_id AND c.customer_id = $1`,
      [customerId],
    );
    await m.query(
      `UPDATE complaint_case
          SET summary = '${ERASED_TEXT}', resolution = CASE WHEN resolution IS NULL THEN NULL ELSE '${ERASED_TEXT}' END,
              version = version + 1, updated_at = $2
        WHERE customer_id = $1`,
      [customerId, at],
    );
  }
}
