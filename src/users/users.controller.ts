import {
  Body,
  Controller,
  Delete,
  Get,
  HttpCode,
  Param,
  ParseUUIDPipe,
  Patch,
  Post,
  Query,
  Res,
} from '@nestjs/common';
import {
  ApiBearerAuth,
  ApiConflictResponse,
  ApiCreatedResponse,
  ApiHeader,
  ApiOkResponse,
  ApiOperation,
  ApiTags,
  ApiUnprocessableEntityResponse,
} from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { AuthUser } from '../auth/auth-user';
import { CurrentUser, Roles } from '../auth/decorators';
import { etag, IfMatchVersion } from '../common/http/if-match';
import { CreateUserDto, UpdateUserDto, UserDto } from './dto/user.dto';
import { UsersService } from './users.service';
import { PageQueryDto } from '../common/http/pagination';
import { NoBody } from '../common/http/no-body';

@ApiTags('users')
@ApiBearerAuth()
@Roles('admin')
@Controller('users')
export class UsersController {
  constructor(private readonly users: UsersService) {}

  @Post()
  @ApiOperation({ summary: 'Create a user; the password needs 12+ characters and must not be easy to guess' })
  @ApiCreatedResponse({ type: UserDto })
  @ApiConflictResponse({ description: 'A user with this email already exists' })
  @ApiUnprocessableEntityResponse({ description: 'rooftopIds names a rooftop that does not exist' })
  async create(
    @Body() body: CreateUserDto,
    @CurrentUser() actor: AuthUser,
    @Res({ passthrough: true }) reply: FastifyReply,
  ) {
    const user = await this.users.create(body, actor);
    void reply.header('etag', etag(user.version));
    return user;
  }

  @Get()
  @ApiOperation({ summary: 'Users with their role and rooftops, paged' })
  list(@Query() query: PageQueryDto) {
    return this.users.list(query);
  }

  @Get(':id')
  @ApiOperation({ summary: 'Read a user; the ETag is its version' })
  @ApiOkResponse({ type: UserDto })
  async get(@Param('id', new ParseUUIDPipe()) id: string, @Res({ passthrough: true }) reply: FastifyReply) {
    const user = await this.users.get(id);
    void reply.header('etag', etag(user.version));
    return user;
  }

  @Patch(':id')
  @ApiOperation({
    summary: 'Update a user (also the password); If-Match is required (412 when stale, 428 when missing)',
  })
  @ApiHeader({ name: 'If-Match', required: true, description: 'The version you read, e.g. "3"' })
  @ApiOkResponse({ type: UserDto })
  @ApiUnprocessableEntityResponse({ description: 'rooftopIds names a rooftop that does not exist' })
  async update(
    @Param('id', new ParseUUIDPipe()) id: string,
    @IfMatchVersion() version: number,
    @Body() body: UpdateUserDto,
    @CurrentUser() actor: AuthUser,
    @Res({ passthrough: true }) reply: FastifyReply,
  ) {
    const user = await this.users.update(id, version, body, actor);
    void reply.header('etag', etag(user.version));
    return user;
  }

  /** Deactivates the user: their tokens and API keys stop working at once. */
  @Delete(':id')
  @NoBody()
  @HttpCode(200)
  @ApiOperation({ summary: 'Deactivate a user: their tokens and API keys stop working at once' })
  @ApiOkResponse({ type: UserDto })
  async deactivate(
    @Param('id', new ParseUUIDPipe()) id: string,
    @CurrentUser() actor: AuthUser,
    @Res({ passthrough: true }) reply: FastifyReply,
  ) {
    const user = await this.users.update(id, null, { active: false }, actor);
    void reply.header('etag', etag(user.version));
    return user;
  }
}
