import {
  Controller,
  Get,
  HttpCode,
  HttpStatus,
  Param,
  ParseUUIDPipe,
  Post,
  Query,
  Req,
  Res,
} from '@nestjs/common';
import {
  ApiBearerAuth,
  ApiBody,
  ApiConflictResponse,
  ApiConsumes,
  ApiOperation,
  ApiProduces,
  ApiTags,
  ApiUnprocessableEntityResponse,
} from '@nestjs/swagger';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { Readable } from 'node:stream';
import { AuthUser } from '../auth/auth-user';
import { CurrentUser, Roles } from '../auth/decorators';
import { DomainError } from '../common/problem/domain-error';
import { CustomerExportService } from './customer-export.service';
import { CustomerImportService } from './customer-import.service';
import { ExportCustomersQueryDto, ImportCustomersQueryDto, ListImportsQueryDto } from './dto/import.dto';

/** CSV import from a DMS export, its progress, and CSV export. */
@ApiTags('customers')
@ApiBearerAuth()
@Controller('customers')
export class CustomerCsvController {
  constructor(
    private readonly importer: CustomerImportService,
    private readonly exporter: CustomerExportService,
  ) {}

  @Post('import')
  @HttpCode(200)
  @ApiOperation({
    summary: 'Import customers from CSV (streamed; upsert by external_id; row-by-row error report)',
    description:
      'Columns (header names case-insensitive): external_id (aliases customer_id, cust_no, …), first_name, last_name, email, phone, address, birthday (YYYY-MM-DD), language (en|km|lo). Other columns are ignored. Columns missing from the header keep their stored values.',
  })
  @ApiConsumes('text/csv')
  @ApiConflictResponse({ description: 'An import with this jobId already exists' })
  @ApiUnprocessableEntityResponse({
    description:
      'The file cannot be read as CSV, or its header is not usable (the line is named, never a cell)',
  })
  @ApiBody({
    schema: {
      type: 'string',
      example: 'external_id,first_name,last_name,email,phone\nDMS-1,Dara,Sok,dara@example.com,012345678\n',
    },
  })
  import(
    @Query() query: ImportCustomersQueryDto,
    @Req() request: FastifyRequest,
    @CurrentUser() actor: AuthUser,
  ) {
    const body = request.body;
    if (!(body instanceof Readable)) {
      throw new DomainError(
        HttpStatus.UNSUPPORTED_MEDIA_TYPE,
        'unsupported_media_type',
        'Send the file as the request body with Content-Type: text/csv',
      );
    }
    return this.importer.import(body, {
      rooftopId: query.rooftopId,
      jobId: query.jobId,
      actor,
      source: 'api',
    });
  }

  @Get('imports')
  @ApiOperation({ summary: 'Imports with their progress (without error lists), newest first, paged' })
  async imports(@Query() query: ListImportsQueryDto, @CurrentUser() actor: AuthUser) {
    return this.importer.listJobs(actor, query);
  }

  @Get('imports/:jobId')
  @ApiOperation({ summary: 'Progress and error report of an import, also while it is still running' })
  importJob(@Param('jobId', new ParseUUIDPipe()) jobId: string, @CurrentUser() actor: AuthUser) {
    return this.importer.getJob(jobId, actor);
  }

  @Get('export')
  @Roles('admin', 'manager')
  @ApiOperation({ summary: 'Export customers as CSV (streamed; erased customers left out)' })
  @ApiProduces('text/csv')
  async export(
    @Query() query: ExportCustomersQueryDto,
    @CurrentUser() actor: AuthUser,
    @Res() reply: FastifyReply,
  ) {
    const csv = await this.exporter.export(actor, query.rooftopId);
    return reply
      .header('content-type', 'text/csv; charset=utf-8')
      .header('content-disposition', 'attachment; filename="customers.csv"')
      .send(csv);
  }
}
