import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { AuditService } from '../audit/audit.service';
import { AuthUser } from '../auth/auth-user';
import type { Channel } from '../common/channels';
import { Consent } from './consent.entity';
import type { CurrentConsents } from './consent-rules';
import { ConsentsService } from './consents.service';
import { CustomersService } from './customers.service';
import { RecordConsentDto } from './dto/consent.dto';

/** The consent routes of a customer: scoping, erasure guard and audit around ConsentsService. */
@Injectable()
export class CustomerConsentsService {
  constructor(
    private readonly db: DataSource,
    private readonly audit: AuditService,
    private readonly customers: CustomersService,
    private readonly consents: ConsentsService,
  ) {}

  async record(customerId: string, dto: RecordConsentDto, actor: AuthUser): Promise<Consent> {
    return this.db.transaction(async (m) => {
      const customer = await this.customers.findWritable(m, customerId, actor, true);
      const entry = await this.consents.record(m, {
        customerId,
        purpose: dto.purpose,
        channel: dto.channel ?? 'email',
        granted: dto.granted,
        source: dto.source,
        wording: dto.wording,
        actor,
      });
      await this.audit.record(m, actor, {
        action: dto.granted ? 'consent.granted' : 'consent.withdrawn',
        entityType: 'customer',
        entityId: customerId,
        rooftopId: customer.homeRooftopId,
        // Email keeps the field name it had before channels existed.
        fields: [
          dto.channel && dto.channel !== 'email'
            ? `consent.${dto.purpose}.${dto.channel}`
            : `consent.${dto.purpose}`,
        ],
      });
      return entry;
    });
  }

  async overview(
    customerId: string,
    actor: AuthUser,
  ): Promise<{ current: CurrentConsents; byChannel: Record<Channel, CurrentConsents>; history: Consent[] }> {
    await this.customers.findVisible(this.db.manager, customerId, actor);
    const [byChannel, history] = await Promise.all([
      this.consents.currentByChannel(customerId),
      this.consents.history(customerId),
    ]);
    // `current` is the email channel's, as before channels existed; `byChannel` has every channel.
    return { current: byChannel.email, byChannel, history };
  }
}
