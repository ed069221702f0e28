import { Injectable, OnModuleInit } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { DomainEvents } from '../common/domain-events';
import { AuditService } from './audit.service';

/** Actions on the customer entity whose reason is a staff member's free text (a manager's loyalty adjustment). */
const FREE_TEXT_CUSTOMER_ACTIONS = ['loyalty.adjusted'];

/**
 * Erasure of a customer, the audit side, in the erasure's transaction: free-text reasons of entries about the
 * customer are blanked. Entries about their vehicles and visits are blanked by the vehicles and service-visits
 * listeners through `AuditService.eraseReasons` (those modules know which of their records concern the customer).
 */
@Injectable()
export class AuditErasureListener implements OnModuleInit {
  constructor(
    private readonly events: DomainEvents,
    private readonly audit: AuditService,
  ) {}

  onModuleInit() {
    this.events.on('customer.erased', (m, e) => this.erase(m, e.customerId));
  }

  async erase(m: EntityManager, customerId: string): Promise<void> {
    await this.audit.eraseReasons(m, {
      entityType: 'customer',
      entityIds: [customerId],
      actions: FREE_TEXT_CUSTOMER_ACTIONS,
    });
  }
}
