import {
  Body,
  Controller,
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
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiOperation,
  ApiTags,
  ApiUnprocessableEntityResponse,
} from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { AuthUser } from '../auth/auth-user';
import { CurrentUser, Roles } from '../auth/decorators';
import { etag, IfMatchVersion } from '../common/http/if-match';
import { Customer360Service } from './customer-360.service';
import { CustomersService } from './customers.service';
import { CreateCustomerDto, CustomerDto, ListCustomersQueryDto, UpdateCustomerDto } from './dto/customer.dto';
import { NoBody } from '../common/http/no-body';

@ApiTags('customers')
@ApiBearerAuth()
@Controller('customers')
export class CustomersController {
  constructor(
    private readonly customers: CustomersService,
    private readonly view360: Customer360Service,
  ) {}

  @Post()
  @ApiOperation({ summary: 'Create a customer (phone normalised to E.164)' })
  @ApiCreatedResponse({ type: CustomerDto })
  @ApiNotFoundResponse({
    description: 'homeRooftopId or assignedSalespersonId names a record you cannot see',
  })
  @ApiConflictResponse({ description: 'Another customer already has this externalId' })
  @ApiUnprocessableEntityResponse({
    description: 'The salesperson is not an active user of the home rooftop',
  })
  async create(
    @Body() body: CreateCustomerDto,
    @CurrentUser() actor: AuthUser,
    @Res({ passthrough: true }) reply: FastifyReply,
  ) {
    const customer = await this.customers.create(body, actor);
    void reply.header('etag', etag(customer.version));
    return customer;
  }

  @Get()
  @ApiOperation({
    summary: 'List and search customers by name, email, phone or VIN; cursor pagination in creation order',
  })
  list(@Query() query: ListCustomersQueryDto, @CurrentUser() actor: AuthUser) {
    return this.customers.list(query, actor);
  }

  @Get(':id')
  @ApiOperation({ summary: 'Read a customer; the ETag is its version' })
  @ApiOkResponse({ type: CustomerDto })
  async get(
    @Param('id', new ParseUUIDPipe()) id: string,
    @CurrentUser() actor: AuthUser,
    @Res({ passthrough: true }) reply: FastifyReply,
  ) {
    const customer = await this.customers.get(id, actor);
    void reply.header('etag', etag(customer.version));
    return customer;
  }

  @Patch(':id')
  @ApiOperation({
    summary: 'Update a customer; If-Match with the version is required (412 when stale, 428 when missing)',
  })
  @ApiHeader({ name: 'If-Match', required: true, description: 'The version you read, e.g. "3"' })
  @ApiOkResponse({ type: CustomerDto })
  @ApiConflictResponse({
    description: 'Another customer already has this externalId, or the customer was erased',
  })
  @ApiUnprocessableEntityResponse({
    description: 'The salesperson is not an active user of the home rooftop',
  })
  async update(
    @Param('id', new ParseUUIDPipe()) id: string,
    @IfMatchVersion() version: number,
    @Body() body: UpdateCustomerDto,
    @CurrentUser() actor: AuthUser,
    @Res({ passthrough: true }) reply: FastifyReply,
  ) {
    const customer = await this.customers.update(id, version, body, actor);
    void reply.header('etag', etag(customer.version));
    return customer;
  }

  @Post(':id/erasure')
  @NoBody()
  @HttpCode(200)
  @Roles('admin', 'manager')
  @ApiOperation({ summary: 'Erase personal data (anonymise; ids, vehicles and visits stay for statistics)' })
  @ApiOkResponse({ type: CustomerDto })
  @ApiConflictResponse({ description: 'This customer was already erased' })
  erase(@Param('id', new ParseUUIDPipe()) id: string, @CurrentUser() actor: AuthUser) {
    return this.customers.erase(id, actor);
  }

  @Get(':id/360')
  @ApiOperation({
    summary: 'Customer 360: customer, consents, vehicles, recent interactions, messages and visits',
  })
  async view(
    @Param('id', new ParseUUIDPipe()) id: string,
    @CurrentUser() actor: AuthUser,
    @Res({ passthrough: true }) reply: FastifyReply,
  ) {
    // The JSON text PostgreSQL built, sent as is (not parsed and serialised again).
    const doc = await this.view360.view(id, actor);
    reply.type('application/json; charset=utf-8');
    return doc;
  }
}
