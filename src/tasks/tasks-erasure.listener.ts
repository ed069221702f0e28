import { Injectable, OnModuleInit } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { DomainEvents } from '../common/domain-events';

const ERASED_TEXT = '[erased]';

/**
 * Erasure of a customer, the tasks side, in the erasure's transaction: titles staff typed (a generated title
 * names only the vehicle or a date) and outcomes are blanked; the tasks stay for the activity figures.
 */
@Injectable()
export class TasksErasureListener implements OnModuleInit {
  constructor(private readonly events: DomainEvents) {}

  onModuleInit() {
    this.events.on('customer.erased', (m, e) => this.erase(m, e.customerId, e.at));
  }

  async erase(m: EntityManager, customerId: string, at: Date): Promise<void> {
    await m.query(
      `UPDATE task SET title = CASE WHEN type = 'manual' THEN '${ERASED_TEXT}' ELSE title END,
                       outcome = CASE WHEN outcome IS NULL THEN NULL ELSE '${ERASED_TEXT}' END,
                       version = version + 1, updated_at = $2
        WHERE customer_id = $1 AND (type = 'manual' OR outcome IS NOT NULL)`,
      [customerId, at],
    );
  }
}
