import { Controller, Get, HttpCode, Param, ParseUUIDPipe, Post, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiConflictResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { AuthUser } from '../auth/auth-user';
import { CurrentUser, Roles } from '../auth/decorators';
import { ListMessagesQueryDto, MessageDetailDto, MessagePageDto } from './dto/messages.dto';
import { MessagesService } from './messages.service';
import { NoBody } from '../common/http/no-body';

@ApiTags('messages')
@ApiBearerAuth()
@Controller('messages')
export class MessagesController {
  constructor(private readonly messages: MessagesService) {}

  @Get()
  @ApiOperation({ summary: 'Outgoing emails of the rooftops you may see, newest first' })
  @ApiOkResponse({ type: MessagePageDto })
  list(@Query() query: ListMessagesQueryDto, @CurrentUser() user: AuthUser) {
    return this.messages.list(query, user);
  }

  @Get(':id')
  @ApiOperation({ summary: 'One message with its rendered content, attempts and last error' })
  @ApiOkResponse({ type: MessageDetailDto })
  get(@Param('id', new ParseUUIDPipe()) id: string, @CurrentUser() user: AuthUser) {
    return this.messages.get(id, user);
  }

  @Post(':id/retry')
  @NoBody()
  @Roles('admin', 'manager')
  @HttpCode(200)
  @ApiOperation({ summary: 'Send a failed message again' })
  @ApiOkResponse({ type: MessageDetailDto })
  @ApiConflictResponse({ description: 'Only a failed message can be retried' })
  retry(@Param('id', new ParseUUIDPipe()) id: string, @CurrentUser() user: AuthUser) {
    return this.messages.retry(id, user);
  }
}
