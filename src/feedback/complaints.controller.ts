import { Body, Controller, Get, HttpCode, Param, Post, Query } from '@nestjs/common';
import {
  ApiBearerAuth,
  ApiCreatedResponse,
  ApiHeader,
  ApiOkResponse,
  ApiOperation,
  ApiTags,
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
import { OptionalIfMatch } from './optional-if-match';
import { NoBody } from '../common/http/no-body';

const IF_MATCH = { name: 'If-Match', required: false, description: 'The version you read; 412 when stale' };

@ApiTags('complaints')
@ApiBearerAuth()
@Controller('complaints')
export class ComplaintsController {
  constructor(private readonly complaints: ComplaintsService) {}

  @Post()
  @ApiOperation({ summary: 'Open a complaint from a call, email, visit or social media (every role)' })
  @ApiCreatedResponse({ type: ComplaintDto })
  open(@Body() dto: OpenComplaintDto, @CurrentUser() user: AuthUser) {
    return this.complaints.open(dto, user);
  }

  @Get()
  @ApiOperation({ summary: 'Complaints in your rooftops, newest first' })
  list(@Query() query: ListComplaintsQueryDto, @CurrentUser() user: AuthUser) {
    return this.complaints.list(user, query);
  }

  @Get(':id')
  @ApiOkResponse({ type: ComplaintDto })
  get(@Param() params: ComplaintIdParam, @CurrentUser() user: AuthUser) {
    return this.complaints.get(params.id, user);
  }

  @Post(':id/notes')
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
