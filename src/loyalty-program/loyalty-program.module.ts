import { Module } from '@nestjs/common';
import { CustomersModule } from '../customers/customers.module';
import { ServiceRemindersModule } from '../service-reminders/service-reminders.module';
import { Loyalty360Section } from './loyalty-360.section';
import { LoyaltyEarningListener } from './loyalty-earning.listener';
import { LoyaltyErasureListener } from './loyalty-erasure.listener';
import { LoyaltyExpiryJob } from './loyalty-expiry.job';
import { LoyaltyAccountReads } from './loyalty-account-reads';
import { LoyaltyAdjustments } from './loyalty-adjustments';
import { LoyaltyIdempotency } from './loyalty-idempotency';
import { LoyaltyLedger } from './loyalty-ledger';
import { LoyaltyRedemptions } from './loyalty-redemptions';
import { LoyaltyTiers } from './loyalty-tiers';
import { LoyaltyTiersJob } from './loyalty-tiers.job';
import { LoyaltyController } from './loyalty.controller';
import { LoyaltyService } from './loyalty.service';
import { OnTimeServiceCheck } from './on-time-service.check';
import { ReferralsService } from './referrals.service';
import { RewardsController } from './rewards.controller';
import { RewardsService } from './rewards.service';

/** Loyalty program: accounts, ledger, earning from domain events, tiers, expiry, rewards, referrals. */
@Module({
  imports: [ServiceRemindersModule, CustomersModule],
  controllers: [LoyaltyController, RewardsController],
  providers: [
    LoyaltyLedger,
    LoyaltyIdempotency,
    LoyaltyTiers,
    LoyaltyAccountReads,
    LoyaltyRedemptions,
    LoyaltyAdjustments,
    LoyaltyService,
    LoyaltyEarningListener,
    LoyaltyErasureListener,
    OnTimeServiceCheck,
    LoyaltyTiersJob,
    LoyaltyExpiryJob,
    RewardsService,
    ReferralsService,
    Loyalty360Section,
  ],
  exports: [LoyaltyService],
})
export class LoyaltyProgramModule {}
