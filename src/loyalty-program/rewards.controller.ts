import { Body, Controller, Get, Param, ParseUUIDPipe, Patch, Post, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import { AuthUser } from '../auth/auth-user';
import { CurrentUser, Roles } from '../auth/decorators';
import { IfMatchVersion } from '../common/http/if-match';
import { PageQueryDto } from '../common/http/pagination';
import { CreateRewardDto, UpdateRewardDto } from './dto/loyalty.dto';
import { RewardsService } from './rewards.service';

/** The rewards catalogue: everyone reads it; managers and admins change it. */
@ApiTags('loyalty')
@ApiBearerAuth()
@Controller('loyalty/rewards')
export class RewardsController {
  constructor(private readonly rewards: RewardsService) {}

  @Post()
  @Roles('admin', 'manager')
  create(@Body() body: CreateRewardDto, @CurrentUser() actor: AuthUser) {
    return this.rewards.create(body, actor);
  }

  @Get()
  list(@Query() query: PageQueryDto) {
    return this.rewards.list(query);
  }

  @Get(':id')
  get(@Param('id', new ParseUUIDPipe()) id: string) {
    return this.rewards.get(id);
  }

  /** Needs If-Match with the version read (412 when stale, 428 when missing). */
  @Patch(':id')
  @Roles('admin', 'manager')
  update(
    @Param('id', new ParseUUIDPipe()) id: string,
    @Body() body: UpdateRewardDto,
    @IfMatchVersion() version: number,
    @CurrentUser() actor: AuthUser,
  ) {
    return this.rewards.update(id, body, version, actor);
  }
}
