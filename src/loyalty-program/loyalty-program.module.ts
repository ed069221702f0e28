import { Module } from '@nestjs/common';
import { CustomersModule } from '../customers/customers.module';
import { ServiceRemindersModule } from '../service-reminders/service-reminders.module';
import { Loyalty360Section } from './loyalty-360.section';
import { LoyaltyEarningListener } from './loyalty-earning.listener';
import { LoyaltyErasureListener } from './loyalty-erasure.listener';
import { LoyaltyExpiryJob } from './loyalty-expiry.job';
import { LoyaltyLedger } from './loyalty-ledger';
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
