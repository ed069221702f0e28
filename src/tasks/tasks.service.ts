import { Injectable } from '@nestjs/common';
import { DataSource, EntityManager } from 'typeorm';
import { AuthUser } from '../auth/auth-user';
import { assertFiltersVisible } from '../auth/filter-ids';
import { Clock } from '../common/clock';
import { InteractionsService } from '../customers/interactions.service';
import { Keyset, limitOf, Page } from '../common/http/pagination';
import {
  ConflictError,
  ForbiddenError,
  NotFoundError,
  UnprocessableError,
} from '../common/problem/domain-error';
import { CreateTaskDto, ListTasksQueryDto, TaskDto } from './dto/task.dto';
import { Task, TaskType } from './task.entity';
import { titleInSql } from './task-titles';

/** Task kinds that are phone calls: completing one logs a call on the customer's timeline, others a note. */
const CALL_TYPES: readonly TaskType[] = ['call_after_sale', 'lease_end', 'win_back'];

export function toTaskDto(t: Task): TaskDto {
  return {
    id: t.id,
    rooftopId: t.rooftopId,
    customerId: t.customerId,
    vehicleId: t.vehicleId,
    complaintId: t.complaintId,
    type: t.type,
    title: t.title,
    assigneeId: t.assigneeId,
    dueAt: t.dueAt.toISOString(),
    status: t.status,
    outcome: t.outcome,
    snoozedUntil: t.snoozedUntil?.toISOString() ?? null,
    createdAt: t.createdAt.toISOString(),
    completedAt: t.completedAt?.toISOString() ?? null,
    version: t.version,
  };
}

/** Soonest first by the effective due time (the snooze end when snoozed), then id. */
const TASK_KEYS = new Keyset(
  [
    { sql: 'COALESCE(t.snoozed_until, t.due_at)', type: 'timestamptz' },
    { sql: 't.id', type: 'uuid' },
  ],
  'ASC',
);

/** A task the system raises (cadences, complaint breaches): at most one per dedupe key, ever. */
export interface RaiseTask {
  rooftopId: string;
  customerId: string;
  vehicleId?: string | null;
  complaintId?: string | null;
  type: TaskType;
  /** Titles by language (`TASK_TITLES`): the task gets its assignee's (English if none). */
  titles: Partial<Record<string, string>> & { en: string };
  assigneeId: string;
  dueAt: Date;
  dedupeKey: string;
}

/**
 * The columns a set-based raise reads from its source SELECT: rooftop_id, customer_id, vehicle_id, complaint_id,
 * type, titles (jsonb by language, see taskTitlesSql), assignee_id, due_at and dedupe_key.
 */
export interface TaskSource {
  sql: string;
  params: unknown[];
}

@Injectable()
export class TasksService {
  constructor(
    private readonly db: DataSource,
    private readonly clock: Clock,
    private readonly interactions: InteractionsService,
  ) {}

  /**
   * My tasks by default; managers and admins may list anyone's (mine=false or assigneeId) in their rooftops.
   * Sorted by the effective due time (the snooze end when snoozed), served by task_assignee_idx/task_rooftop_idx.
   */
  async list(actor: AuthUser, q: ListTasksQueryDto): Promise<Page<TaskDto>> {
    const others = q.mine === false || (q.assigneeId !== undefined && q.assigneeId !== actor.id);
    if (others && !actor.isManager)
      throw new ForbiddenError('Only managers and admins may list other people’s tasks');
    await assertFiltersVisible(this.db, actor, [
      { field: 'assigneeId', kind: 'user', id: q.assigneeId },
      { field: 'customerId', kind: 'customer', id: q.customerId },
    ]);
    const limit = limitOf(q);
    const now = this.clock.now();
    const where: string[] = [];
    const params: unknown[] = [];
    const p = (v: unknown) => {
      params.push(v);
      return `$${params.length}`;
    };
    const scope = actor.rooftopScope();
    if (scope) where.push(`t.rooftop_id = ANY(${p(scope)}::uuid[])`);
    if (!others) where.push(`t.assignee_id = ${p(actor.id)}`);
    else if (q.assigneeId) where.push(`t.assignee_id = ${p(q.assigneeId)}`);
    where.push(`t.status = ${p(q.status ?? 'open')}`);
    if (q.type) where.push(`t.type = ${p(q.type)}`);
    if (q.customerId) where.push(`t.customer_id = ${p(q.customerId)}`);
    const due = `COALESCE(t.snoozed_until, t.due_at)`;
    if (q.due === 'overdue') where.push(`${due} < ${p(now)}::timestamptz`);
    if (q.due === 'today') {
      const n = p(now);
      where.push(
        `${due} >= ((${n}::timestamptz AT TIME ZONE r.time_zone)::date::timestamp AT TIME ZONE r.time_zone)`,
      );
      where.push(
        `${due} < (((${n}::timestamptz AT TIME ZONE r.time_zone)::date + 1)::timestamp AT TIME ZONE r.time_zone)`,
      );
    }
    const cursor = TASK_KEYS.decode(q.cursor);
    if (cursor) where.push(TASK_KEYS.after(cursor, p));
    const ids: { id: string }[] = await this.db.query(
      `SELECT t.id, ${TASK_KEYS.select} FROM task t JOIN rooftop r ON r.id = t.rooftop_id
        WHERE ${where.join(' AND ')} ORDER BY ${TASK_KEYS.orderBy} LIMIT ${limit + 1}`,
      params,
    );
    const page = TASK_KEYS.page(ids, limit);
    const tasks = page.items.length
      ? await this.db
          .getRepository(Task)
          .createQueryBuilder('t')
          .whereInIds(page.items.map((r) => r.id))
          .getMany()
      : [];
    const byId = new Map(tasks.map((t) => [t.id, t]));
    return { items: page.items.map((r) => toTaskDto(byId.get(r.id)!)), nextCursor: page.nextCursor };
  }

  /**
   * Raises system tasks from the rows of `source` (planners, jobs) with one INSERT … SELECT: each title in its
   * assignee's language; a row whose assignee is unknown, or whose dedupe key exists, adds nothing.
   * Returns how many tasks were added.
   */
  async raiseFromQuery(m: EntityManager, source: TaskSource): Promise<number> {
    const rows: { n: number }[] = await m.query(
      `WITH ins AS (
         INSERT INTO task (rooftop_id, customer_id, vehicle_id, complaint_id, type, title, assignee_id, due_at, status, dedupe_key)
         SELECT s.rooftop_id::uuid, s.customer_id::uuid, s.vehicle_id::uuid, s.complaint_id::uuid, s.type::text,
                ${titleInSql('s.titles::jsonb', 'u.language')}, s.assignee_id::uuid, s.due_at::timestamptz, 'open',
                s.dedupe_key::text
           FROM (${source.sql}) s JOIN app_user u ON u.id = s.assignee_id::uuid
         ON CONFLICT (dedupe_key) DO NOTHING
         RETURNING 1)
       SELECT count(*)::int AS n FROM ins`,
      source.params,
    );
    return rows[0].n;
  }

  /** Raises one system task (see raiseFromQuery); false when its dedupe key already exists. */
  async raise(m: EntityManager, task: RaiseTask): Promise<boolean> {
    const added = await this.raiseFromQuery(m, {
      sql: `SELECT $1::uuid AS rooftop_id, $2::uuid AS customer_id, $3::uuid AS vehicle_id, $4::uuid AS complaint_id,
                   $5::text AS type, $6::jsonb AS titles, $7::uuid AS assignee_id, $8::timestamptz AS due_at,
                   $9::text AS dedupe_key`,
      params: [
        task.rooftopId,
        task.customerId,
        task.vehicleId ?? null,
        task.complaintId ?? null,
        task.type,
        JSON.stringify(task.titles),
        task.assigneeId,
        task.dueAt,
        task.dedupeKey,
      ],
    });
    return added > 0;
  }

  async get(id: string, actor: AuthUser): Promise<TaskDto> {
    return toTaskDto(await this.visible(this.db.manager, id, actor));
  }

  async create(dto: CreateTaskDto, actor: AuthUser): Promise<TaskDto> {
    return this.db.transaction(async (m) => {
      const [customer] = await m.query(
        `SELECT id, home_rooftop_id FROM customer WHERE id = $1 AND erased_at IS NULL`,
        [dto.customerId],
      );
      actor.assertRooftopIn(customer?.home_rooftop_id, 'customerId', 'Customer');
      if (dto.vehicleId) {
        const [vehicle] = await m.query(`SELECT rooftop_id, owner_id FROM vehicle WHERE id = $1`, [
          dto.vehicleId,
        ]);
        actor.assertRooftopIn(vehicle?.rooftop_id, 'vehicleId', 'Vehicle');
        if (vehicle.owner_id !== dto.customerId)
          throw new UnprocessableError('vehicle_not_owned', 'The vehicle does not belong to this customer', [
            { field: 'vehicleId', message: 'not a vehicle of this customer' },
          ]);
      }
      const assigneeId = dto.assigneeId ?? actor.id;
      if (assigneeId !== actor.id && !actor.isManager)
        throw new ForbiddenError('Only managers and admins may assign tasks to someone else');
      await this.assertAssignable(m, assigneeId, customer.home_rooftop_id, actor);
      const task = await m.save(
        m.create(Task, {
          rooftopId: customer.home_rooftop_id,
          customerId: dto.customerId,
          vehicleId: dto.vehicleId ?? null,
          complaintId: null,
          type: 'manual',
          title: dto.title,
          assigneeId,
          dueAt: new Date(dto.dueAt),
          status: 'open',
          outcome: null,
          snoozedUntil: null,
          dedupeKey: null,
          createdBy: actor.id,
          completedBy: null,
          completedAt: null,
        }),
      );
      return toTaskDto(task);
    });
  }

  /** Completing logs the outcome on the customer's timeline (a call for call tasks, else a note). */
  async complete(id: string, outcome: string, actor: AuthUser): Promise<TaskDto> {
    return this.db.transaction(async (m) => {
      const task = await this.visible(m, id, actor, true);
      this.assertMayWork(task, actor);
      if (task.status !== 'open') throw new ConflictError('task_not_open', 'The task is already done');
      const now = this.clock.now();
      task.status = 'done';
      task.outcome = outcome;
      task.completedAt = now;
      task.completedBy = actor.id;
      task.snoozedUntil = null;
      const saved = await m.save(task);
      const call = CALL_TYPES.includes(task.type);
      await this.interactions.log(m, {
        customerId: task.customerId,
        rooftopId: task.rooftopId,
        kind: call ? 'call' : 'note',
        direction: call ? 'outbound' : null,
        summary: `Task done — ${task.title}: ${outcome}`,
        at: now,
        createdBy: actor.id,
      });
      return toTaskDto(saved);
    });
  }

  async snooze(id: string, until: Date, actor: AuthUser): Promise<TaskDto> {
    return this.db.transaction(async (m) => {
      const task = await this.visible(m, id, actor, true);
      this.assertMayWork(task, actor);
      if (task.status !== 'open') throw new ConflictError('task_not_open', 'The task is already done');
      if (until.getTime() <= this.clock.now().getTime()) {
        throw new UnprocessableError('snooze_in_past', 'Snooze until a time in the future', [
          { field: 'until', message: 'must be in the future' },
        ]);
      }
      task.snoozedUntil = until;
      return toTaskDto(await m.save(task));
    });
  }

  async reassign(id: string, assigneeId: string, actor: AuthUser): Promise<TaskDto> {
    return this.db.transaction(async (m) => {
      const task = await this.visible(m, id, actor, true);
      if (!actor.isManager) throw new ForbiddenError('Only managers and admins may reassign tasks');
      if (task.status !== 'open') throw new ConflictError('task_not_open', 'The task is already done');
      await this.assertAssignable(m, assigneeId, task.rooftopId, actor);
      task.assigneeId = assigneeId;
      return toTaskDto(await m.save(task));
    });
  }

  /** Tasks of a customer (for the customer 360), newest first. */
  async forCustomer(customerId: string, limit = 50): Promise<TaskDto[]> {
    const tasks = await this.db
      .getRepository(Task)
      .find({ where: { customerId }, order: { createdAt: 'DESC', id: 'DESC' }, take: limit });
    return tasks.map(toTaskDto);
  }

  private async visible(m: EntityManager, id: string, actor: AuthUser, lock = false): Promise<Task> {
    const task = await m.findOne(Task, {
      where: { id },
      ...(lock ? { lock: { mode: 'pessimistic_write' as const } } : {}),
    });
    if (!task || !actor.canSeeRooftop(task.rooftopId)) throw new NotFoundError('Task');
    return task;
  }

  private assertMayWork(task: Task, actor: AuthUser) {
    if (task.assigneeId !== actor.id && !actor.isManager)
      throw new ForbiddenError('You may only work on your own tasks');
  }

  /** A user the caller can see (else 404), granted the task's rooftop (else 422), active (else 422). */
  private async assertAssignable(m: EntityManager, userId: string, rooftopId: string, actor: AuthUser) {
    const user = await AuthUser.namedUser(m, userId);
    actor.assertColleague(user, rooftopId, 'assigneeId');
    if (!user.active)
      throw new UnprocessableError(
        'invalid_assignee',
        'The assignee must be an active user of the task’s rooftop',
        [{ field: 'assigneeId', message: 'not an active user of this rooftop' }],
      );
  }
}
