import { Body, Controller, Get, Param, ParseUUIDPipe, Post, Query, Res } from '@nestjs/common';
import {
  ApiBearerAuth,
  ApiConflictResponse,
  ApiHeader,
  ApiNotFoundResponse,
  ApiOperation,
  ApiTags,
  ApiUnprocessableEntityResponse,
} from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { AuthUser, UncheckedUser } from '../auth/auth-user';
import { CurrentPrincipal, CurrentUser, Roles, UserCheckedByRoute } from '../auth/decorators';
import { PageQueryDto } from '../common/http/pagination';
import { CreateAdjustmentDto, CreateRedemptionDto, CreateReferralDto } from './dto/loyalty.dto';
import { OptionalIdempotencyKey, RequiredIdempotencyKey } from '../common/http/idempotency-key';
import { IdempotentAnswer, LoyaltyService } from './loyalty.service';
import { ReferralsService } from './referrals.service';

function answer<T>(reply: FastifyReply, result: IdempotentAnswer<T>): T {
  void reply.status(result.status);
  if (result.replayed) void reply.header('idempotent-replayed', 'true');
  return result.body;
}

/** A customer's loyalty account: summary, statement, redemptions, adjustments and referrals. */
@ApiTags('loyalty')
@ApiBearerAuth()
@Controller('customers/:id')
export class LoyaltyController {
  constructor(
    private readonly loyalty: LoyaltyService,
    private readonly referrals: ReferralsService,
  ) {}

  @Get('loyalty')
  @ApiOperation({
    summary:
      'Balance, tier, trailing-12-month earnings, points to the next tier, points expiring in the next 90 days',
  })
  async summary(@Param('id', new ParseUUIDPipe()) id: string, @CurrentUser() actor: AuthUser) {
    await this.loyalty.visibleCustomer(id, actor);
    return this.loyalty.summary(id);
  }

  @Get('loyalty/ledger')
  @ApiOperation({ summary: 'The statement: every ledger entry with its running balance, newest first' })
  async ledger(
    @Param('id', new ParseUUIDPipe()) id: string,
    @Query() query: PageQueryDto,
    @CurrentUser() actor: AuthUser,
  ) {
    await this.loyalty.visibleCustomer(id, actor);
    return this.loyalty.ledgerPage(id, query);
  }

  @Get('loyalty/redemptions')
  @ApiOperation({ summary: 'The customer’s redemptions, newest first, paged' })
  async redemptions(
    @Param('id', new ParseUUIDPipe()) id: string,
    @Query() query: PageQueryDto,
    @CurrentUser() actor: AuthUser,
  ) {
    await this.loyalty.visibleCustomer(id, actor);
    return this.loyalty.redemptionsPage(id, query);
  }

  @Post('loyalty/redemptions')
  @ApiOperation({
    summary:
      'Redeem a reward or a number of points (every role). Retry with the same Idempotency-Key to get the same answer.',
  })
  @ApiHeader({
    name: 'Idempotency-Key',
    required: true,
    description: 'A unique key per redemption (e.g. a UUID); missing → 428',
  })
  @ApiUnprocessableEntityResponse({
    description:
      'rewardId names no reward or an inactive one, the balance is too low, or the Idempotency-Key was used with a different body',
  })
  // The caller's user is checked in the redemption's first statement (a round trip saved; see UncheckedUser).
  @UserCheckedByRoute()
  async redeem(
    @Param('id', new ParseUUIDPipe()) id: string,
    @Body() body: CreateRedemptionDto,
    @RequiredIdempotencyKey() key: string,
    @CurrentPrincipal() actor: AuthUser | UncheckedUser,
    @Res({ passthrough: true }) reply: FastifyReply,
  ) {
    return answer(reply, await this.loyalty.redeem(id, body, key, actor));
  }

  @Post('loyalty/adjustments')
  @Roles('admin', 'manager')
  @ApiOperation({
    summary: 'Add or remove points with a mandatory reason (manager, admin); audited; never below zero',
  })
  @ApiHeader({ name: 'Idempotency-Key', required: false })
  @ApiUnprocessableEntityResponse({
    description: 'The balance would go below zero, or the Idempotency-Key was used with a different body',
  })
  async adjust(
    @Param('id', new ParseUUIDPipe()) id: string,
    @Body() body: CreateAdjustmentDto,
    @OptionalIdempotencyKey() key: string | undefined,
    @CurrentUser() actor: AuthUser,
    @Res({ passthrough: true }) reply: FastifyReply,
  ) {
    return answer(reply, await this.loyalty.adjust(id, body, key, actor));
  }

  @Post('referrals')
  @ApiOperation({
    summary:
      'Record that this customer referred another; they earn points when the referred customer buys a vehicle',
  })
  @ApiNotFoundResponse({ description: 'No such customer, or referredCustomerId names one you cannot see' })
  @ApiConflictResponse({ description: 'The referred customer was already referred by someone' })
  @ApiUnprocessableEntityResponse({ description: 'A customer cannot refer themselves' })
  referral(
    @Param('id', new ParseUUIDPipe()) id: string,
    @Body() body: CreateReferralDto,
    @CurrentUser() actor: AuthUser,
  ) {
    return this.referrals.create(id, body.referredCustomerId, actor);
  }

  @Get('referrals')
  @ApiOperation({ summary: 'The referrals this customer made, paged' })
  async listReferrals(
    @Param('id', new ParseUUIDPipe()) id: string,
    @Query() query: PageQueryDto,
    @CurrentUser() actor: AuthUser,
  ) {
    await this.loyalty.visibleCustomer(id, actor);
    return this.referrals.listByReferrer(id, query);
  }
}
