import { Injectable, OnModuleInit } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { DomainEvents, DomainEventMap } from '../common/domain-events';
import { OutboxService } from '../messaging/outbox.service';

/** A voided visit takes back its effects on feedback: the pending survey email is cancelled and the link closes. */
@Injectable()
export class SurveyVoidedListener implements OnModuleInit {
  constructor(
    private readonly events: DomainEvents,
    private readonly outbox: OutboxService,
  ) {}

  onModuleInit() {
    this.events.on('service_visit.voided', (m, e) => this.visitVoided(m, e));
  }

  async visitVoided(m: EntityManager, e: DomainEventMap['service_visit.voided']): Promise<void> {
    await this.outbox.cancelPending(
      m,
      { dedupeKeyPrefix: `fu:service:${e.visitId}:` },
      'service_visit_voided',
    );
    await this.outbox.cancelPending(
      m,
      { dedupeKeyPrefix: `fu:declined:${e.visitId}:` },
      'service_visit_voided',
    );
    await m.query(
      `UPDATE survey SET expires_at = LEAST(expires_at, $2) WHERE service_visit_id = $1 AND answered_at IS NULL`,
      [e.visitId, e.voidedAt],
    );
  }
}
