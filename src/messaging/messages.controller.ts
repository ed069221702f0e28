import { Body, Controller, Get, HttpCode, Param, ParseUUIDPipe, Post, Query } from '@nestjs/common';
import {
  ApiBearerAuth,
  ApiBody,
  ApiConflictResponse,
  ApiOkResponse,
  ApiOperation,
  ApiTags,
  ApiUnprocessableEntityResponse,
} from '@nestjs/swagger';
import { AuthUser } from '../auth/auth-user';
import { CurrentUser, Roles } from '../auth/decorators';
import { ListMessagesQueryDto, MessageDetailDto, MessagePageDto, RetryMessageDto } from './dto/messages.dto';
import { MessagesService } from './messages.service';

@ApiTags('messages')
@ApiBearerAuth()
@Controller('messages')
export class MessagesController {
  constructor(private readonly messages: MessagesService) {}

  @Get()
  @ApiOperation({
    summary: 'Outgoing messages (email, SMS, Telegram) of the rooftops you may see, newest first',
  })
  @ApiOkResponse({ type: MessagePageDto })
  list(@Query() query: ListMessagesQueryDto, @CurrentUser() user: AuthUser) {
    return this.messages.list(query, user);
  }

  @Get(':id')
  @ApiOperation({
    summary:
      'One message with its rendered content, every attempt on every channel with its outcome, last error',
  })
  @ApiOkResponse({ type: MessageDetailDto })
  get(@Param('id', new ParseUUIDPipe()) id: string, @CurrentUser() user: AuthUser) {
    return this.messages.get(id, user);
  }

  @Post(':id/retry')
  @Roles('admin', 'manager')
  @HttpCode(200)
  @ApiOperation({ summary: 'Send a failed message again, on the same channel, the next one, or a named one' })
  @ApiBody({ type: RetryMessageDto, required: false })
  @ApiOkResponse({ type: MessageDetailDto })
  @ApiConflictResponse({ description: 'Only a failed message can be retried' })
  @ApiUnprocessableEntityResponse({
    description: 'The channel asked for cannot be used for this message now',
  })
  retry(
    @Param('id', new ParseUUIDPipe()) id: string,
    @Body() body: RetryMessageDto,
    @CurrentUser() user: AuthUser,
  ) {
    return this.messages.retry(id, user, body?.channel ?? 'same');
  }
}
