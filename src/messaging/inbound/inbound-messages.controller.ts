import { Body, Controller, Get, HttpCode, Param, ParseUUIDPipe, Post, Query } from '@nestjs/common';
import {
  ApiBearerAuth,
  ApiConflictResponse,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiOperation,
  ApiTags,
} from '@nestjs/swagger';
import { AuthUser } from '../../auth/auth-user';
import { CurrentUser, Roles } from '../../auth/decorators';
import {
  InboundMessageDto,
  InboundMessagePageDto,
  ListInboundMessagesQueryDto,
  MatchInboundMessageDto,
} from './dto/inbound-message.dto';
import { InboundMessagesService } from './inbound-messages.service';

@ApiTags('messages')
@ApiBearerAuth()
@Controller('inbound-messages')
export class InboundMessagesController {
  constructor(private readonly inbound: InboundMessagesService) {}

  @Get()
  @ApiOperation({
    summary:
      'Incoming SMS and Telegram texts, newest first: your rooftops’ replies; managers and admins also see unknown senders’',
  })
  @ApiOkResponse({ type: InboundMessagePageDto })
  list(@Query() query: ListInboundMessagesQueryDto, @CurrentUser() user: AuthUser) {
    return this.inbound.list(query, user);
  }

  @Post(':id/match')
  @Roles('admin', 'manager')
  @HttpCode(200)
  @ApiOperation({
    summary: 'Link a text from an unknown sender to a customer: logged on the timeline, with a task',
  })
  @ApiOkResponse({ type: InboundMessageDto })
  @ApiNotFoundResponse({
    description: 'The message, or the customer named by customerId, is not one you can see',
  })
  @ApiConflictResponse({ description: 'The message is already linked to a customer, or is a STOP' })
  match(
    @Param('id', new ParseUUIDPipe()) id: string,
    @Body() dto: MatchInboundMessageDto,
    @CurrentUser() user: AuthUser,
  ) {
    return this.inbound.match(id, dto.customerId, user);
  }
}
