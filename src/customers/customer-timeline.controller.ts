import { Body, Controller, Get, Param, ParseUUIDPipe, Post, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiConflictResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { AuthUser } from '../auth/auth-user';
import { CurrentUser } from '../auth/decorators';
import { PageQueryDto } from '../common/http/pagination';
import { CustomerConsentsService } from './customer-consents.service';
import { RecordConsentDto } from './dto/consent.dto';
import { CreateInteractionDto } from './dto/interaction.dto';
import { InteractionsService } from './interactions.service';

/** Consents and interactions of one customer. */
@ApiTags('customers')
@ApiBearerAuth()
@Controller('customers/:id')
export class CustomerTimelineController {
  constructor(
    private readonly consents: CustomerConsentsService,
    private readonly interactions: InteractionsService,
  ) {}

  @Post('consents')
  @ApiOperation({
    summary:
      'Record a consent decision (appended to the history); a withdrawal cancels pending messages of that purpose',
  })
  @ApiConflictResponse({ description: 'The customer was erased; the record cannot change' })
  recordConsent(
    @Param('id', new ParseUUIDPipe()) id: string,
    @Body() body: RecordConsentDto,
    @CurrentUser() actor: AuthUser,
  ) {
    return this.consents.record(id, body, actor);
  }

  @Get('consents')
  @ApiOperation({
    summary: 'Current consent per purpose (defaults filled in) and the full history, newest first',
  })
  consentOverview(@Param('id', new ParseUUIDPipe()) id: string, @CurrentUser() actor: AuthUser) {
    return this.consents.overview(id, actor);
  }

  @Post('interactions')
  @ApiOperation({ summary: 'Log a call, email, visit, note, SMS or meeting on the customer timeline' })
  @ApiConflictResponse({ description: 'The customer was erased; the record cannot change' })
  createInteraction(
    @Param('id', new ParseUUIDPipe()) id: string,
    @Body() body: CreateInteractionDto,
    @CurrentUser() actor: AuthUser,
  ) {
    return this.interactions.create(id, body, actor);
  }

  @Get('interactions')
  @ApiOperation({ summary: 'The customer timeline, newest first' })
  listInteractions(
    @Param('id', new ParseUUIDPipe()) id: string,
    @Query() query: PageQueryDto,
    @CurrentUser() actor: AuthUser,
  ) {
    return this.interactions.list(id, query, actor);
  }
}
