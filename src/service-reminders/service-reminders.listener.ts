import { Injectable, Logger, OnModuleInit } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { DomainEvents } from '../common/domain-events';
import { OutboxService } from '../messaging/outbox.service';
import { ServiceRemindersRepository } from './service-reminders.repository';

/** The service-reminders listeners: pending digests follow serviced items and vehicles that change hands. */
@Injectable()
export class ServiceRemindersListener implements OnModuleInit {
  private readonly logger = new Logger('ServiceReminders');

  constructor(
    private readonly events: DomainEvents,
    private readonly outbox: OutboxService,
    private readonly repository: ServiceRemindersRepository,
  ) {}

  onModuleInit() {
    this.events.on('service_visit.closed', (m, e) =>
      this.onVisitClosed(m, e.visitId, e.vehicleId, e.itemCodes, e.vehicleOwnerId),
    );
    this.events.on('vehicle.ownership_changed', (m, e) =>
      this.onOwnershipChanged(m, e.vehicleId, e.previousOwnerId),
    );
  }

  /**
   * The visit's performed items leave pending digests for that vehicle (a new cycle starts for them). The event
   * carries the item codes and the vehicle's owner read under the vehicle's lock, so nothing is re-read and only
   * that owner's pending digests are searched (index outbox_message_svc_pending_idx): a transfer already dropped
   * the vehicle from the previous owner's digests (onOwnershipChanged), so no other customer's digest holds it.
   */
  async onVisitClosed(
    manager: EntityManager,
    visitId: string,
    vehicleId: string,
    itemCodes: string[],
    vehicleOwnerId: string | null,
  ): Promise<void> {
    if (itemCodes.length === 0) return;
    const changed = await this.outbox.removeDigestItems(
      manager,
      { kind: 'service_reminder', vehicleId, itemCodes, customerId: vehicleOwnerId },
      'items serviced',
    );
    if (changed.messagesChanged > 0)
      this.logger.log({
        msg: 'serviced items removed from pending reminders',
        visitId,
        vehicleId,
        ...changed,
      });
  }

  /**
   * A transfer stops the previous owner's reminders about the vehicle and starts the new owner's: the previous
   * owner's stage records for this vehicle are dropped, so the next run sends the new owner the latest stage.
   */
  async onOwnershipChanged(
    manager: EntityManager,
    vehicleId: string,
    previousOwnerId: string | null,
  ): Promise<void> {
    if (!previousOwnerId) return;
    const changed = await this.outbox.removeDigestItems(
      manager,
      { kind: 'service_reminder', vehicleId, customerId: previousOwnerId },
      'vehicle changed owner',
    );
    await this.repository.forgetStages(manager, vehicleId, previousOwnerId);
    if (changed.messagesChanged > 0)
      this.logger.log({ msg: 'reminders of the previous owner removed', vehicleId, ...changed });
  }
}
