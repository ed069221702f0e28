import { Injectable, OnModuleInit } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { AuditService } from '../audit/audit.service';
import { DomainEvents } from '../common/domain-events';

const ERASED_TEXT = '[erased]';

/**
 * Erasure of a customer, the service-visits side, in the erasure's transaction: void reasons and line
 * descriptions may name them (a catalogue line keeps the item's name), and so may the void reasons in the
 * audit log. The visits, their lines and amounts stay for the figures.
 */
@Injectable()
export class ServiceVisitsErasureListener implements OnModuleInit {
  constructor(
    private readonly events: DomainEvents,
    private readonly audit: AuditService,
  ) {}

  onModuleInit() {
    this.events.on('customer.erased', (m, e) => this.erase(m, e.customerId, e.at));
  }

  async erase(m: EntityManager, customerId: string, at: Date): Promise<void> {
    await m.query(
      `UPDATE service_visit SET void_reason = '${ERASED_TEXT}', version = version + 1, updated_at = $2
        WHERE customer_id = $1 AND void_reason IS NOT NULL`,
      [customerId, at],
    );
    await m.query(
      `UPDATE service_visit_line l
          SET description = coalesce((SELECT i.name FROM maintenance_item i WHERE i.code = l.item_code), '${ERASED_TEXT}')
        WHERE l.service_visit_id IN (SELECT v.id FROM service_visit v WHERE v.customer_id = $1)`,
      [customerId],
    );
    const visits: { id: string }[] = await m.query(`SELECT id FROM service_visit WHERE customer_id = $1`, [
      customerId,
    ]);
    await this.audit.eraseReasons(m, {
      entityType: 'service_visit',
      entityIds: visits.map((v) => v.id),
      actions: ['service_visit.voided'],
    });
  }
}
