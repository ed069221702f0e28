import { Body, Controller, Get, Param, ParseUUIDPipe, Patch, Post, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiConflictResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
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
  @ApiOperation({ summary: 'Add a reward to the catalogue with its points cost' })
  @ApiConflictResponse({ description: 'A reward with this code already exists' })
  create(@Body() body: CreateRewardDto, @CurrentUser() actor: AuthUser) {
    return this.rewards.create(body, actor);
  }

  @Get()
  @ApiOperation({ summary: 'The rewards catalogue (the same for every rooftop), paged' })
  list(@Query() query: PageQueryDto) {
    return this.rewards.list(query);
  }

  @Get(':id')
  @ApiOperation({ summary: 'Read a reward' })
  get(@Param('id', new ParseUUIDPipe()) id: string) {
    return this.rewards.get(id);
  }

  /** Needs If-Match with the version read (412 when stale, 428 when missing). */
  @Patch(':id')
  @Roles('admin', 'manager')
  @ApiOperation({
    summary: 'Change a reward (its cost, or withdraw it); If-Match with the version is required',
  })
  @ApiConflictResponse({ description: 'Another reward already has this code' })
  update(
    @Param('id', new ParseUUIDPipe()) id: string,
    @Body() body: UpdateRewardDto,
    @IfMatchVersion() version: number,
    @CurrentUser() actor: AuthUser,
  ) {
    return this.rewards.update(id, body, version, actor);
  }
}
