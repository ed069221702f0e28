import { Body, Controller, Delete, Get, HttpCode, Param, ParseUUIDPipe, Patch, Post } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiTags } from '@nestjs/swagger';
import { AuthUser } from '../auth/auth-user';
import { CurrentUser, Roles } from '../auth/decorators';
import { CreateRooftopDto, UpdateRooftopDto } from './dto/rooftop.dto';
import { RooftopsService } from './rooftops.service';
import { NoBody } from '../common/http/no-body';

@ApiTags('rooftops')
@ApiBearerAuth()
@Controller('rooftops')
export class RooftopsController {
  constructor(private readonly rooftops: RooftopsService) {}

  @Post()
  @Roles('admin')
  @ApiOperation({ summary: 'Add a rooftop (a dealership location) with its time zone and sending window' })
  create(@Body() body: CreateRooftopDto, @CurrentUser() actor: AuthUser) {
    return this.rooftops.create(body, actor);
  }

  @Get()
  @ApiOperation({ summary: 'The rooftops granted to you (every rooftop for an admin), by name' })
  async list(@CurrentUser() actor: AuthUser) {
    return { items: await this.rooftops.list(actor), nextCursor: null };
  }

  @Get(':id')
  @ApiOperation({ summary: 'Read a rooftop with its settings' })
  get(@Param('id', new ParseUUIDPipe()) id: string, @CurrentUser() actor: AuthUser) {
    return this.rooftops.get(id, actor);
  }

  @Patch(':id')
  @Roles('admin')
  @ApiOperation({ summary: 'Change a rooftop: details, sender, sending window, settings' })
  update(
    @Param('id', new ParseUUIDPipe()) id: string,
    @Body() body: UpdateRooftopDto,
    @CurrentUser() actor: AuthUser,
  ) {
    return this.rooftops.update(id, body, actor);
  }

  /** Deactivates (rooftops keep their history). */
  @Delete(':id')
  @NoBody()
  @Roles('admin')
  @HttpCode(200)
  @ApiOperation({ summary: 'Deactivate a rooftop; its customers, visits and history stay' })
  deactivate(@Param('id', new ParseUUIDPipe()) id: string, @CurrentUser() actor: AuthUser) {
    return this.rooftops.update(id, { active: false }, actor);
  }
}
