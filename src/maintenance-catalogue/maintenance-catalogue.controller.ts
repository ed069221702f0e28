import { Body, Controller, Delete, Get, HttpCode, Param, ParseUUIDPipe, Patch, Post } from '@nestjs/common';
import { ApiBearerAuth, ApiConflictResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { AuthUser } from '../auth/auth-user';
import { CurrentUser, Roles } from '../auth/decorators';
import { IfMatchVersion } from '../common/http/if-match';
import { NotFoundError } from '../common/problem/domain-error';
import {
  CreateMaintenanceItemDto,
  CreateOverrideDto,
  ITEM_CODE,
  UpdateMaintenanceItemDto,
  UpdateOverrideDto,
} from './dto/maintenance-item.dto';
import { MaintenanceCatalogueService } from './maintenance-catalogue.service';
import { NoBody } from '../common/http/no-body';

/** A code that cannot exist answers 404 like an unknown one. */
function itemCode(code: string): string {
  if (!ITEM_CODE.test(code)) throw new NotFoundError('Maintenance item');
  return code;
}

@ApiTags('maintenance-items')
@ApiBearerAuth()
@Controller('maintenance-items')
export class MaintenanceCatalogueController {
  constructor(private readonly catalogue: MaintenanceCatalogueService) {}

  @Get()
  @ApiOperation({ summary: 'The maintenance catalogue with per make/model overrides' })
  async list() {
    return { items: await this.catalogue.list(), nextCursor: null };
  }

  @Get(':code')
  @ApiOperation({ summary: 'One maintenance item with its overrides' })
  get(@Param('code') code: string) {
    return this.catalogue.get(itemCode(code));
  }

  @Post()
  @Roles('admin', 'manager')
  @ApiOperation({ summary: 'Add a maintenance item (admin, manager)' })
  @ApiConflictResponse({ description: 'A maintenance item with this code already exists' })
  create(@Body() body: CreateMaintenanceItemDto, @CurrentUser() actor: AuthUser) {
    return this.catalogue.create(body, actor);
  }

  @Patch(':code')
  @Roles('admin', 'manager')
  @ApiOperation({ summary: 'Change a maintenance item (If-Match: version)' })
  update(
    @Param('code') code: string,
    @Body() body: UpdateMaintenanceItemDto,
    @IfMatchVersion() version: number,
    @CurrentUser() actor: AuthUser,
  ) {
    return this.catalogue.update(itemCode(code), body, version, actor);
  }

  @Post(':code/overrides')
  @Roles('admin', 'manager')
  @ApiOperation({ summary: 'Override the intervals for a make (model omitted) or a make and model' })
  @ApiConflictResponse({ description: 'An override of this item for this make and model already exists' })
  createOverride(
    @Param('code') code: string,
    @Body() body: CreateOverrideDto,
    @CurrentUser() actor: AuthUser,
  ) {
    return this.catalogue.createOverride(itemCode(code), body, actor);
  }

  @Patch(':code/overrides/:id')
  @Roles('admin', 'manager')
  @ApiOperation({ summary: 'Change an override (If-Match: version)' })
  updateOverride(
    @Param('code') code: string,
    @Param('id', new ParseUUIDPipe()) id: string,
    @Body() body: UpdateOverrideDto,
    @IfMatchVersion() version: number,
    @CurrentUser() actor: AuthUser,
  ) {
    return this.catalogue.updateOverride(itemCode(code), id, body, version, actor);
  }

  @Delete(':code/overrides/:id')
  @NoBody()
  @Roles('admin', 'manager')
  @HttpCode(204)
  @ApiOperation({ summary: 'Remove an override' })
  async deleteOverride(
    @Param('code') code: string,
    @Param('id', new ParseUUIDPipe()) id: string,
    @CurrentUser() actor: AuthUser,
  ) {
    await this.catalogue.deleteOverride(itemCode(code), id, actor);
  }
}
