import { Body, Controller, Get, Param, ParseUUIDPipe, Patch, Post, Query, Res } from '@nestjs/common';
import { ApiBearerAuth, ApiHeader, ApiTags } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { AuthUser } from '../auth/auth-user';
import { CurrentUser } from '../auth/decorators';
import { etag, IfMatchVersion } from '../common/http/if-match';
import { PageQueryDto } from '../common/http/pagination';
import {
  CreateOdometerReadingDto,
  CreateVehicleDto,
  ListVehiclesQueryDto,
  TransferVehicleDto,
  UpdateVehicleDto,
} from './dto/vehicle.dto';
import { VehiclesService } from './vehicles.service';

/** Every role may read and write vehicles and readings (SPEC permission table); corrections are checked in the service. */
@ApiTags('vehicles')
@ApiBearerAuth()
@Controller('vehicles')
export class VehiclesController {
  constructor(private readonly vehicles: VehiclesService) {}

  @Post()
  async create(
    @Body() body: CreateVehicleDto,
    @CurrentUser() actor: AuthUser,
    @Res({ passthrough: true }) reply: FastifyReply,
  ) {
    const vehicle = await this.vehicles.create(body, actor);
    void reply.header('etag', etag(vehicle.version));
    return vehicle;
  }

  @Get()
  list(@Query() query: ListVehiclesQueryDto, @CurrentUser() actor: AuthUser) {
    return this.vehicles.list(query, actor);
  }

  @Get(':id')
  async get(
    @Param('id', new ParseUUIDPipe()) id: string,
    @CurrentUser() actor: AuthUser,
    @Res({ passthrough: true }) reply: FastifyReply,
  ) {
    const vehicle = await this.vehicles.get(id, actor);
    void reply.header('etag', etag(vehicle.version));
    return vehicle;
  }

  @Patch(':id')
  @ApiHeader({ name: 'If-Match', required: true, description: 'The version you read, e.g. "3"' })
  async update(
    @Param('id', new ParseUUIDPipe()) id: string,
    @Body() body: UpdateVehicleDto,
    @IfMatchVersion() version: number,
    @CurrentUser() actor: AuthUser,
    @Res({ passthrough: true }) reply: FastifyReply,
  ) {
    const vehicle = await this.vehicles.update(id, body, version, actor);
    void reply.header('etag', etag(vehicle.version));
    return vehicle;
  }

  @Post(':id/transfer')
  transfer(
    @Param('id', new ParseUUIDPipe()) id: string,
    @Body() body: TransferVehicleDto,
    @CurrentUser() actor: AuthUser,
  ) {
    return this.vehicles.transfer(id, body, actor);
  }

  @Get(':id/ownerships')
  ownerships(@Param('id', new ParseUUIDPipe()) id: string, @CurrentUser() actor: AuthUser) {
    return this.vehicles.ownerships(id, actor);
  }

  @Get(':id/odometer-readings')
  readings(
    @Param('id', new ParseUUIDPipe()) id: string,
    @Query() query: PageQueryDto,
    @CurrentUser() actor: AuthUser,
  ) {
    return this.vehicles.readings(id, query, actor);
  }

  @Post(':id/odometer-readings')
  addReading(
    @Param('id', new ParseUUIDPipe()) id: string,
    @Body() body: CreateOdometerReadingDto,
    @CurrentUser() actor: AuthUser,
  ) {
    return this.vehicles.addReading(id, body, actor);
  }
}
