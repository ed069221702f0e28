import { Injectable, OnModuleInit } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { AuditService } from '../audit/audit.service';
import { DomainEvents } from '../common/domain-events';

const ERASED_TEXT = '[erased]';
/** Reasons the code writes itself on an ownership row (not free text): kept. */
const OWNERSHIP_REASON_CODES = ['purchase', 'transfer', 'initial owner'];
/** Vehicle actions whose audit reason is a staff member's free text. */
const FREE_TEXT_AUDIT_ACTIONS = ['vehicle.transferred', 'odometer.corrected'];

/**
 * Erasure of a customer, the vehicles side, in the erasure's transaction: free text on every vehicle the
 * customer ever owned (ownership reasons, reading notes, the audit reasons of transfers and corrections) is
 * blanked for the whole vehicle, since it may name them. The vehicles, ownerships and readings stay.
 */
@Injectable()
export class VehiclesErasureListener implements OnModuleInit {
  constructor(
    private readonly events: DomainEvents,
    private readonly audit: AuditService,
  ) {}

  onModuleInit() {
    this.events.on('customer.erased', (m, e) => this.erase(m, e.customerId));
  }

  async erase(m: EntityManager, customerId: string): Promise<void> {
    const owned: { vehicle_id: string }[] = await m.query(
      `SELECT DISTINCT vehicle_id FROM vehicle_ownership WHERE customer_id = $1`,
      [customerId],
    );
    const vehicleIds = owned.map((o) => o.vehicle_id);
    if (vehicleIds.length === 0) return;
    await m.query(
      `UPDATE vehicle_ownership SET reason = NULL
        WHERE vehicle_id = ANY ($1::uuid[]) AND reason IS NOT NULL AND reason <> ALL ($2::text[])`,
      [vehicleIds, OWNERSHIP_REASON_CODES],
    );
    await m.query(
      `UPDATE odometer_reading SET note = '${ERASED_TEXT}' WHERE vehicle_id = ANY ($1::uuid[]) AND note IS NOT NULL`,
      [vehicleIds],
    );
    await this.audit.eraseReasons(m, {
      entityType: 'vehicle',
      entityIds: vehicleIds,
      actions: FREE_TEXT_AUDIT_ACTIONS,
    });
  }
}
