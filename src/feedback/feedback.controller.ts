import { Controller, Get, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { AuthUser } from '../auth/auth-user';
import { CurrentUser } from '../auth/decorators';
import { FeedbackFilterDto, FeedbackSummaryDto } from './dto/survey.dto';
import { FeedbackService } from './feedback.service';

@ApiTags('feedback')
@ApiBearerAuth()
@Controller('feedback')
export class FeedbackController {
  constructor(private readonly feedback: FeedbackService) {}

  @Get()
  @ApiOperation({ summary: 'Survey answers, newest first (from/to filter the answer time)' })
  list(@Query() query: FeedbackFilterDto, @CurrentUser() user: AuthUser) {
    return this.feedback.list(user, query);
  }

  @Get('summary')
  @ApiOperation({ summary: 'NPS, CSAT and response rate for the invitations issued in [from, to)' })
  @ApiOkResponse({ type: FeedbackSummaryDto })
  summary(@Query() query: FeedbackFilterDto, @CurrentUser() user: AuthUser) {
    return this.feedback.summary(user, query);
  }
}
