import { Injectable, OnModuleInit } from '@nestjs/common';
import { Customer360Service } from '../customers/customer-360.service';
import { LoyaltyService } from './loyalty.service';

/** Adds the loyalty summary (balance, tier, points to the next tier, expiring soon) to the customer 360. */
@Injectable()
export class Loyalty360Section implements OnModuleInit {
  constructor(
    private readonly c360: Customer360Service,
    private readonly loyalty: LoyaltyService,
  ) {}

  onModuleInit() {
    this.c360.registerSection('loyalty', (ctx) => this.loyalty.summary(ctx.customer.id));
  }
}
