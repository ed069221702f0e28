import { Injectable, Logger } from '@nestjs/common';
import type { Readable } from 'node:stream';
import { DataSource, EntityManager, QueryFailedError } from 'typeorm';
import { AuditService } from '../audit/audit.service';
import { AuthUser } from '../auth/auth-user';
import { Clock } from '../common/clock';
import { Keyset, limitOf, Page } from '../common/http/pagination';
import { ConflictError, NotFoundError, UnprocessableError } from '../common/problem/domain-error';
import { AppConfig } from '../config/app-config';
import type { CustomerRow } from './customer-csv';
import { csvInputError } from './customer-csv-input';
import { IMPORT_FIELDS, lastRowPerExternalId, planBatch } from './customer-import-plan';
import { readCustomerCsv } from './customer-import-reader';
import { CustomerImportRepository } from './customer-import.repository';
import type { ListImportsQueryDto } from './dto/import.dto';
import { ImportJob, ImportRowError } from './import-job.entity';

export const IMPORT_BATCH_SIZE = 500;
/** The error report keeps the first errors only; the counts stay exact. */
export const MAX_REPORTED_ERRORS = 1000;

export interface ImportOptions {
  rooftopId: string;
  /** null for the operator CLI. */
  actor: AuthUser | null;
  source: 'api' | 'cli';
  fileName?: string | null;
  /** A caller-chosen id, so progress can be watched while the upload is still running. */
  jobId?: string;
  onProgress?: (job: ImportJob) => void;
}

/** Newest first: import_job_rooftop_idx (rooftop_id, started_at DESC) within a rooftop. */
const IMPORT_KEYS = new Keyset(
  [
    { sql: 'j.started_at', type: 'timestamptz' },
    { sql: 'j.id', type: 'uuid' },
  ],
  'DESC',
);

/**
 * Streams a DMS customer export into the customer table: validated row by row with the API's rules,
 * upserted by external id in batches, each batch in its own transaction together with the job's progress.
 * A bad row goes to the report and never stops the good ones; re-importing a file changes nothing.
 */
@Injectable()
export class CustomerImportService {
  private readonly logger = new Logger(CustomerImportService.name);

  constructor(
    private readonly db: DataSource,
    private readonly clock: Clock,
    private readonly config: AppConfig,
    private readonly audit: AuditService,
    private readonly statements: CustomerImportRepository,
  ) {}

  async import(input: Readable, options: ImportOptions): Promise<ImportJob> {
    const job = await this.start(options);
    return this.run(job, input, options);
  }

  /** Creates the job row (committed at once, so GET /customers/imports/{id} sees it). */
  async start(options: ImportOptions): Promise<ImportJob> {
    if (options.actor) options.actor.assertRooftop(options.rooftopId, 'Rooftop');
    const rooftop: unknown[] = await this.db.query(`SELECT 1 FROM rooftop WHERE id = $1`, [
      options.rooftopId,
    ]);
    if (!rooftop.length) throw new NotFoundError('Rooftop');
    const now = this.clock.now();
    const repo = this.db.getRepository(ImportJob);
    const job = repo.create({
      ...(options.jobId ? { id: options.jobId } : {}),
      kind: 'customers',
      rooftopId: options.rooftopId,
      createdBy: options.actor?.id ?? null,
      source: options.source,
      fileName: options.fileName ?? null,
      status: 'running',
      rowsProcessed: 0,
      created: 0,
      updated: 0,
      unchanged: 0,
      failed: 0,
      errors: [],
      errorsTruncated: false,
      failure: null,
      startedAt: now,
      finishedAt: null,
      updatedAt: now,
    });
    try {
      await repo.insert(job);
    } catch (e) {
      if (
        e instanceof QueryFailedError &&
        (e as QueryFailedError & { driverError?: { code?: string } }).driverError?.code === '23505'
      ) {
        throw new ConflictError('import_job_exists', 'An import with this jobId already exists', {
          errors: [{ field: 'jobId', message: 'already used' }],
        });
      }
      throw e;
    }
    this.logger.log({
      msg: 'customer import started',
      jobId: job.id,
      rooftopId: job.rooftopId,
      source: job.source,
    });
    return job;
  }

  /** Reads the file and writes it batch by batch; a bad header or an unreadable file answers 422. */
  async run(job: ImportJob, input: Readable, options: ImportOptions): Promise<ImportJob> {
    const csv = readCustomerCsv(input, () => this.clock.now());
    let batch: CustomerRow[] = [];
    try {
      for await (const { parsed } of csv.lines()) {
        job.rowsProcessed += 1;
        if (Array.isArray(parsed)) this.fail(job, parsed);
        else batch.push(parsed);
        if (batch.length >= IMPORT_BATCH_SIZE) {
          await this.writeBatch(job, batch, options);
          batch = [];
        }
      }
      const headerError = csv.headerError();
      if (headerError) {
        csv.drain();
        await this.finish(job, 'failed', headerError);
        throw new UnprocessableError(
          'csv_header_invalid',
          `The CSV header is not usable: ${headerError}`,
          [{ field: 'header', message: headerError }],
          { job },
        );
      }
      if (batch.length || job.rowsProcessed === 0) await this.writeBatch(job, batch, options);
      await this.finish(job, 'completed', null);
    } catch (e) {
      if (e instanceof UnprocessableError) throw e;
      // Every parser error and a file that is not UTF-8 text: 422 with the line, never the cell's content.
      const unreadable = csvInputError(e);
      if (unreadable) {
        csv.drain();
        this.logger.warn({
          msg: 'customer import refused',
          jobId: job.id,
          code: unreadable.code,
          line: unreadable.line,
        });
        await this.finish(job, 'failed', unreadable.message);
        throw new UnprocessableError(
          'csv_malformed',
          `The CSV is malformed: ${unreadable.message}`,
          [{ field: 'body', message: unreadable.message }],
          { job },
        );
      }
      await this.finish(job, 'failed', 'the upload was interrupted or the import failed').catch(
        () => undefined,
      );
      throw e;
    }
    this.logger.log({
      msg: 'customer import finished',
      jobId: job.id,
      rows: job.rowsProcessed,
      created: job.created,
      updated: job.updated,
      failed: job.failed,
    });
    return job;
  }

  private fail(job: ImportJob, errors: ImportRowError[]) {
    job.failed += 1;
    for (const error of errors) {
      if (job.errors.length < MAX_REPORTED_ERRORS) job.errors.push(error);
      else job.errorsTruncated = true;
    }
  }

  /**
   * One transaction per batch: lock the existing rows of these external ids, decide per row (new, changed,
   * unchanged, refused: customer-import-plan.ts), upsert the new and changed ones in one statement, audit
   * them, and save the job's progress.
   */
  private async writeBatch(job: ImportJob, rows: CustomerRow[], options: ImportOptions): Promise<void> {
    await this.db.transaction(async (m) => {
      const { byId, refused } = lastRowPerExternalId(rows);
      for (const errors of refused) this.fail(job, errors);
      const externalIds = [...byId.keys()];
      const plan = planBatch(byId.values(), {
        existing: await this.statements.lockExisting(m, externalIds),
        erased: await this.statements.erasedAmong(m, externalIds),
        rooftopId: job.rooftopId,
        defaultLanguage: this.config.DEFAULT_LANGUAGE,
      });
      for (const errors of plan.refused) this.fail(job, errors);
      job.unchanged += plan.unchanged;
      const now = this.clock.now();
      if (plan.writes.length) {
        const result = await this.statements.upsert(m, job.rooftopId, now, plan.writes);
        const created = result.filter((r) => r.inserted).map((r) => r.id);
        const updated = result.filter((r) => !r.inserted).map((r) => r.id);
        job.created += created.length;
        job.updated += updated.length;
        job.unchanged += plan.writes.length - result.length;
        await this.auditRows(m, options.actor, job.rooftopId, now, created, 'customer.imported');
        await this.auditRows(m, options.actor, job.rooftopId, now, updated, 'customer.updated');
      }
      job.updatedAt = now;
      await m.update(
        ImportJob,
        { id: job.id },
        {
          rowsProcessed: job.rowsProcessed,
          created: job.created,
          updated: job.updated,
          unchanged: job.unchanged,
          failed: job.failed,
          errors: job.errors,
          errorsTruncated: job.errorsTruncated,
          updatedAt: now,
        },
      );
    });
    options.onProgress?.(job);
  }

  /** One audit entry per customer, field names only (AuditService.recordMany: one statement). */
  private async auditRows(
    m: EntityManager,
    actor: AuthUser | null,
    rooftopId: string,
    at: Date,
    ids: string[],
    action: string,
  ) {
    await this.audit.recordMany(m, actor, {
      action,
      entityType: 'customer',
      entityIds: ids,
      rooftopId,
      fields: [...IMPORT_FIELDS, 'externalId'],
      reason: 'csv_import',
      at,
    });
  }

  private async finish(
    job: ImportJob,
    status: 'completed' | 'failed',
    failure: string | null,
  ): Promise<void> {
    const now = this.clock.now();
    Object.assign(job, { status, failure, finishedAt: now, updatedAt: now });
    await this.db.getRepository(ImportJob).update(
      { id: job.id },
      {
        status,
        failure,
        finishedAt: now,
        updatedAt: now,
        rowsProcessed: job.rowsProcessed,
        failed: job.failed,
        errors: job.errors,
        errorsTruncated: job.errorsTruncated,
      },
    );
  }

  async getJob(id: string, actor: AuthUser): Promise<ImportJob> {
    const job = await this.db.getRepository(ImportJob).findOneBy({ id });
    if (!job || !actor.canSeeRooftop(job.rooftopId)) throw new NotFoundError('Import job');
    return job;
  }

  /** The imports (without their error lists), newest first, a page at a time. */
  async listJobs(actor: AuthUser, query: ListImportsQueryDto): Promise<Page<ImportJob>> {
    const { rooftopId } = query;
    const limit = limitOf(query);
    const cursor = IMPORT_KEYS.decode(query.cursor);
    if (rooftopId) await actor.assertUsableRooftop(this.db, rooftopId, 'rooftopId');
    const qb = this.db.getRepository(ImportJob).createQueryBuilder('j');
    const scope = actor.rooftopScope();
    if (scope) qb.andWhere('j.rooftop_id = ANY(:scope::uuid[])', { scope });
    if (rooftopId) qb.andWhere('j.rooftop_id = :rooftopId', { rooftopId });
    const page = IMPORT_KEYS.pageOf(await IMPORT_KEYS.applyTo(qb, cursor, limit).getRawAndEntities(), limit);
    return { items: page.items.map((j) => ({ ...j, errors: [] })), nextCursor: page.nextCursor };
  }
}
