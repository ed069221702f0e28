import { Body, Controller, Get, Param, ParseUUIDPipe, Patch, Post, Query, Res } from '@nestjs/common';
import {
  ApiBearerAuth,
  ApiConflictResponse,
  ApiForbiddenResponse,
  ApiHeader,
  ApiNotFoundResponse,
  ApiOperation,
  ApiTags,
  ApiUnprocessableEntityResponse,
} from '@nestjs/swagger';
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
  @ApiOperation({ summary: 'Register a vehicle, with its owner and sale when it was sold' })
  @ApiNotFoundResponse({
    description:
      'rooftopId, sellingRooftopId, ownerId or soldById names a record you cannot see (the field is named)',
  })
  @ApiConflictResponse({ description: 'A vehicle with this VIN already exists' })
  @ApiUnprocessableEntityResponse({
    description:
      'The owner is an erased customer, the seller is not a user of the selling rooftop, or the purchase odometer reading is implausible',
  })
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
  @ApiOperation({ summary: 'List vehicles by owner, rooftop or VIN, paged' })
  list(@Query() query: ListVehiclesQueryDto, @CurrentUser() actor: AuthUser) {
    return this.vehicles.list(query, actor);
  }

  @Get(':id')
  @ApiOperation({ summary: 'Read a vehicle; the ETag is its version' })
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
  @ApiOperation({ summary: 'Update a vehicle; If-Match with the version is required' })
  @ApiConflictResponse({ description: 'Another vehicle already has this VIN' })
  @ApiUnprocessableEntityResponse({
    description: 'The seller is not a user of the selling rooftop',
  })
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
  @ApiOperation({ summary: 'Change the owner of a vehicle, recording the sale when the dealer sold it' })
  @ApiUnprocessableEntityResponse({
    description:
      'The vehicle is scrapped, the customer already owns it, the transfer predates the current ownership, the new owner is erased, the seller is not a user of the rooftop, or the sale odometer is implausible',
  })
  transfer(
    @Param('id', new ParseUUIDPipe()) id: string,
    @Body() body: TransferVehicleDto,
    @CurrentUser() actor: AuthUser,
  ) {
    return this.vehicles.transfer(id, body, actor);
  }

  @Get(':id/ownerships')
  @ApiOperation({ summary: 'Who owned the vehicle and when, oldest first' })
  ownerships(@Param('id', new ParseUUIDPipe()) id: string, @CurrentUser() actor: AuthUser) {
    return this.vehicles.ownerships(id, actor);
  }

  @Get(':id/odometer-readings')
  @ApiOperation({ summary: 'Odometer readings of a vehicle, newest first, paged' })
  readings(
    @Param('id', new ParseUUIDPipe()) id: string,
    @Query() query: PageQueryDto,
    @CurrentUser() actor: AuthUser,
  ) {
    return this.vehicles.readings(id, query, actor);
  }

  @Post(':id/odometer-readings')
  @ApiOperation({
    summary: 'Record an odometer reading; implausible readings are refused unless a manager corrects',
  })
  @ApiForbiddenResponse({ description: 'Only a manager or admin may record a correction' })
  @ApiUnprocessableEntityResponse({
    description:
      'The reading is in the future, lower than an earlier one or implausibly high (`reason` says which)',
  })
  addReading(
    @Param('id', new ParseUUIDPipe()) id: string,
    @Body() body: CreateOdometerReadingDto,
    @CurrentUser() actor: AuthUser,
  ) {
    return this.vehicles.addReading(id, body, actor);
  }
}
