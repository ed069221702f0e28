import { applyDecorators, Body, Controller, Get, HttpCode, Param, Post, Query } from '@nestjs/common';
import {
  ApiBearerAuth,
  ApiConflictResponse,
  ApiCreatedResponse,
  ApiForbiddenResponse,
  ApiHeader,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiOperation,
  ApiTags,
  ApiUnprocessableEntityResponse,
} from '@nestjs/swagger';
import { AuthUser } from '../auth/auth-user';
import { CurrentUser } from '../auth/decorators';
import { ComplaintsService } from './complaints.service';
import {
  ComplaintDto,
  ComplaintIdParam,
  ComplaintNoteDto,
  ListComplaintsQueryDto,
  OpenComplaintDto,
  ReopenComplaintDto,
  ResolveComplaintDto,
} from './dto/complaint.dto';
import { OptionalIfMatch } from '../common/http/if-match';
import { NoBody } from '../common/http/no-body';

const IF_MATCH = { name: 'If-Match', required: false, description: 'The version you read; 412 when stale' };
/** The errors of every state transition: managers and admins only, from the states its summary names. */
const TransitionErrors = () =>
  applyDecorators(
    ApiForbiddenResponse({ description: 'Only managers and admins may manage complaints' }),
    ApiConflictResponse({
      description: 'The complaint is not in a state this action starts from (`state` says which)',
    }),
  );

@ApiTags('complaints')
@ApiBearerAuth()
@Controller('complaints')
export class ComplaintsController {
  constructor(private readonly complaints: ComplaintsService) {}

  @Post()
  @ApiOperation({ summary: 'Open a complaint from a call, email, visit or social media (every role)' })
  @ApiCreatedResponse({ type: ComplaintDto })
  @ApiNotFoundResponse({ description: 'customerId or ownerId names a record you cannot see' })
  @ApiUnprocessableEntityResponse({
    description: 'The owner is not an active manager of the customer’s rooftop',
  })
  open(@Body() dto: OpenComplaintDto, @CurrentUser() user: AuthUser) {
    return this.complaints.open(dto, user);
  }

  @Get()
  @ApiOperation({ summary: 'Complaints in your rooftops, newest first' })
  list(@Query() query: ListComplaintsQueryDto, @CurrentUser() user: AuthUser) {
    return this.complaints.list(user, query);
  }

  @Get(':id')
  @ApiOperation({ summary: 'Read a complaint with its notes and deadlines' })
  @ApiOkResponse({ type: ComplaintDto })
  get(@Param() params: ComplaintIdParam, @CurrentUser() user: AuthUser) {
    return this.complaints.get(params.id, user);
  }

  @Post(':id/notes')
  @ApiOperation({ summary: 'Add a note to a complaint (every role)' })
  @ApiCreatedResponse({ type: ComplaintDto })
  note(@Param() params: ComplaintIdParam, @Body() dto: ComplaintNoteDto, @CurrentUser() user: AuthUser) {
    return this.complaints.addNote(params.id, dto.body, user);
  }

  @Post(':id/acknowledge')
  @NoBody()
  @HttpCode(200)
  @ApiHeader(IF_MATCH)
  @ApiOperation({ summary: 'open → acknowledged (managers, admins)' })
  @ApiOkResponse({ type: ComplaintDto })
  @TransitionErrors()
  acknowledge(
    @Param() params: ComplaintIdParam,
    @OptionalIfMatch() version: number | undefined,
    @CurrentUser() user: AuthUser,
  ) {
    return this.complaints.transition(params.id, 'acknowledge', user, { expectedVersion: version });
  }

  @Post(':id/resolve')
  @HttpCode(200)
  @ApiHeader(IF_MATCH)
  @ApiOperation({
    summary: 'acknowledged → resolved with the resolution, apology and goodwill points (managers, admins)',
  })
  @ApiOkResponse({ type: ComplaintDto })
  @TransitionErrors()
  resolve(
    @Param() params: ComplaintIdParam,
    @Body() dto: ResolveComplaintDto,
    @OptionalIfMatch() version: number | undefined,
    @CurrentUser() user: AuthUser,
  ) {
    return this.complaints.transition(params.id, 'resolve', user, { expectedVersion: version, resolve: dto });
  }

  @Post(':id/close')
  @NoBody()
  @HttpCode(200)
  @ApiHeader(IF_MATCH)
  @ApiOperation({ summary: 'resolved → closed (managers, admins)' })
  @ApiOkResponse({ type: ComplaintDto })
  @TransitionErrors()
  close(
    @Param() params: ComplaintIdParam,
    @OptionalIfMatch() version: number | undefined,
    @CurrentUser() user: AuthUser,
  ) {
    return this.complaints.transition(params.id, 'close', user, { expectedVersion: version });
  }

  @Post(':id/reopen')
  @HttpCode(200)
  @ApiHeader(IF_MATCH)
  @ApiOperation({
    summary: 'resolved/closed → open, with a fresh 7-day resolution deadline (managers, admins)',
  })
  @ApiOkResponse({ type: ComplaintDto })
  @TransitionErrors()
  reopen(
    @Param() params: ComplaintIdParam,
    @Body() dto: ReopenComplaintDto,
    @OptionalIfMatch() version: number | undefined,
    @CurrentUser() user: AuthUser,
  ) {
    return this.complaints.transition(params.id, 'reopen', user, {
      expectedVersion: version,
      reason: dto.reason,
    });
  }
}
