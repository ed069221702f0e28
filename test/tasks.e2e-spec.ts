import { TasksService } from '../src/tasks/tasks.service';
import { fixtures } from './follow-ups-fixtures';
import { bearer, startTestApp, TestApp } from './support/test-app';

describe('tasks API', () => {
  let t: TestApp;
  let f: ReturnType<typeof fixtures>;
  let rooftopId: string;
  let otherRooftopId: string;
  let manager: { id: string; token: string };
  let sales: { id: string; token: string };
  let sales2: { id: string; token: string };
  let outsider: { id: string; token: string };
  let customer: string;
  const count = async () => (await t.db.query(`SELECT count(*)::int AS n FROM task`))[0].n as number;

  beforeAll(async () => {
    t = await startTestApp({ now: '2026-06-15T03:00:00Z' });
    f = fixtures(t);
    rooftopId = (await t.rooftop()).id;
    otherRooftopId = (await t.rooftop()).id;
    manager = await t.user('manager', [rooftopId]);
    sales = await t.user('salesperson', [rooftopId]);
    sales2 = await t.user('salesperson', [rooftopId]);
    outsider = await t.user('manager', [otherRooftopId]);
    customer = await f.customer(rooftopId);
  });
  afterAll(() => t.close());

  const create = (token: string, body: Record<string, unknown>) =>
    t.http.post('/api/v1/tasks').set(bearer(token)).send(body);

  it('creates a manual task for myself and lists my tasks with the due filters', async () => {
    const overdue = await create(sales.token, {
      customerId: customer,
      title: 'Call back about tyres',
      dueAt: '2026-06-14T03:00:00Z',
    });
    expect(overdue.status).toBe(201);
    expect(overdue.body).toMatchObject({ type: 'manual', assigneeId: sales.id, status: 'open', version: 1 });
    const today = await create(sales.token, {
      customerId: customer,
      title: 'Send brochure',
      dueAt: '2026-06-15T09:00:00Z',
    });
    const later = await create(sales.token, {
      customerId: customer,
      title: 'Check in next week',
      dueAt: '2026-06-22T03:00:00Z',
    });
    await create(manager.token, {
      customerId: customer,
      title: 'For someone else',
      dueAt: '2026-06-15T05:00:00Z',
      assigneeId: sales2.id,
    });

    const mine = await t.http.get('/api/v1/tasks').set(bearer(sales.token));
    expect(mine.status).toBe(200);
    expect(mine.body.items.map((x: { id: string }) => x.id)).toEqual([
      overdue.body.id,
      today.body.id,
      later.body.id,
    ]);
    const od = await t.http.get('/api/v1/tasks?due=overdue').set(bearer(sales.token));
    expect(od.body.items.map((x: { id: string }) => x.id)).toEqual([overdue.body.id]);
    const td = await t.http.get('/api/v1/tasks?due=today').set(bearer(sales.token));
    expect(td.body.items.map((x: { id: string }) => x.id)).toEqual([today.body.id]);
    const manual = await t.http.get('/api/v1/tasks?type=call_after_sale').set(bearer(sales.token));
    expect(manual.body.items).toEqual([]);
    const paged = await t.http.get('/api/v1/tasks?limit=2').set(bearer(sales.token));
    expect(paged.body.items).toHaveLength(2);
    const rest = await t.http
      .get(`/api/v1/tasks?limit=2&cursor=${paged.body.nextCursor}`)
      .set(bearer(sales.token));
    expect(rest.body.items.map((x: { id: string }) => x.id)).toEqual([later.body.id]);
  });

  it('lets managers list anyone’s tasks in their rooftops, and refuses it to a salesperson (403)', async () => {
    expect((await t.http.get('/api/v1/tasks?mine=false').set(bearer(sales.token))).status).toBe(403);
    expect((await t.http.get(`/api/v1/tasks?assigneeId=${sales2.id}`).set(bearer(sales.token))).status).toBe(
      403,
    );
    const all = await t.http.get(`/api/v1/tasks?assigneeId=${sales2.id}`).set(bearer(manager.token));
    expect(all.status).toBe(200);
    expect(all.body.items.map((x: { title: string }) => x.title)).toEqual(['For someone else']);
    const none = await t.http.get('/api/v1/tasks?mine=false').set(bearer(outsider.token));
    expect(none.body.items).toEqual([]);
  });

  it('completes my task and logs the outcome on the customer’s timeline', async () => {
    const task = (
      await create(sales.token, {
        customerId: customer,
        title: 'Thank-you call',
        dueAt: '2026-06-15T04:00:00Z',
      })
    ).body;
    const done = await t.http
      .post(`/api/v1/tasks/${task.id}/complete`)
      .set(bearer(sales.token))
      .send({ outcome: 'Spoke to the customer; very happy' });
    expect(done.status).toBe(200);
    expect(done.body).toMatchObject({
      status: 'done',
      outcome: 'Spoke to the customer; very happy',
      completedAt: '2026-06-15T03:00:00.000Z',
    });
    const [timeline] = await t.db.query(
      `SELECT kind, summary, created_by FROM interaction WHERE customer_id = $1 AND summary LIKE '%Thank-you call%'`,
      [customer],
    );
    expect(timeline).toMatchObject({ kind: 'note', created_by: sales.id });
    expect(timeline.summary).toContain('very happy');
    expect(
      (
        await t.http
          .post(`/api/v1/tasks/${task.id}/complete`)
          .set(bearer(sales.token))
          .send({ outcome: 'again' })
      ).status,
    ).toBe(409);
  });

  it('logs a call when a cadence call task is completed', async () => {
    const [row] = await t.db.query(
      `INSERT INTO task (rooftop_id, customer_id, type, title, assignee_id, due_at, dedupe_key) VALUES ($1, $2, 'call_after_sale', 'Call after sale', $3, '2026-06-15T02:00:00Z', 'task:test:1') RETURNING id`,
      [rooftopId, customer, sales.id],
    );
    expect(
      (
        await t.http
          .post(`/api/v1/tasks/${row.id}/complete`)
          .set(bearer(sales.token))
          .send({ outcome: 'No answer, left a message' })
      ).status,
    ).toBe(200);
    const [timeline] = await t.db.query(
      `SELECT kind, direction FROM interaction WHERE customer_id = $1 AND summary LIKE '%No answer%'`,
      [customer],
    );
    expect(timeline).toEqual({ kind: 'call', direction: 'outbound' });
  });

  it('refuses to complete or snooze someone else’s task (403) but lets the manager do it', async () => {
    const task = (
      await create(manager.token, {
        customerId: customer,
        title: 'Not yours',
        dueAt: '2026-06-16T03:00:00Z',
        assigneeId: sales2.id,
      })
    ).body;
    expect(
      (await t.http.post(`/api/v1/tasks/${task.id}/complete`).set(bearer(sales.token)).send({ outcome: 'x' }))
        .status,
    ).toBe(403);
    expect(
      (
        await t.http
          .post(`/api/v1/tasks/${task.id}/snooze`)
          .set(bearer(sales.token))
          .send({ until: '2026-06-20T03:00:00Z' })
      ).status,
    ).toBe(403);
    expect(
      (
        await t.http
          .post(`/api/v1/tasks/${task.id}/complete`)
          .set(bearer(manager.token))
          .send({ outcome: 'Handled by the manager' })
      ).status,
    ).toBe(200);
  });

  it('snoozes a task to a future time; it is then not overdue', async () => {
    const task = (
      await create(sales.token, { customerId: customer, title: 'Snooze me', dueAt: '2026-06-10T03:00:00Z' })
    ).body;
    const past = await t.http
      .post(`/api/v1/tasks/${task.id}/snooze`)
      .set(bearer(sales.token))
      .send({ until: '2026-06-14T03:00:00Z' });
    expect(past.status).toBe(422);
    expect(past.body.errors).toEqual([expect.objectContaining({ field: 'until' })]);
    const ok = await t.http
      .post(`/api/v1/tasks/${task.id}/snooze`)
      .set(bearer(sales.token))
      .send({ until: '2026-06-18T03:00:00Z' });
    expect(ok.status).toBe(200);
    expect(ok.body.snoozedUntil).toBe('2026-06-18T03:00:00.000Z');
    const overdue = await t.http.get('/api/v1/tasks?due=overdue').set(bearer(sales.token));
    expect(overdue.body.items.map((x: { id: string }) => x.id)).not.toContain(task.id);
  });

  it('lets only managers and admins reassign (403 for a salesperson), to users of the task’s rooftop', async () => {
    const task = (
      await create(sales.token, { customerId: customer, title: 'Reassign me', dueAt: '2026-06-16T03:00:00Z' })
    ).body;
    expect(
      (
        await t.http
          .post(`/api/v1/tasks/${task.id}/reassign`)
          .set(bearer(sales.token))
          .send({ assigneeId: sales2.id })
      ).status,
    ).toBe(403);
    const wrong = await t.http
      .post(`/api/v1/tasks/${task.id}/reassign`)
      .set(bearer(manager.token))
      .send({ assigneeId: outsider.id });
    // A user of a rooftop the manager was not granted: 404, as for a path id.
    expect(wrong.status).toBe(404);
    expect(wrong.body.errors[0].field).toBe('assigneeId');
    const ok = await t.http
      .post(`/api/v1/tasks/${task.id}/reassign`)
      .set(bearer(manager.token))
      .send({ assigneeId: sales2.id });
    expect(ok.status).toBe(200);
    expect(ok.body.assigneeId).toBe(sales2.id);
  });

  it('rejects bad input on every write and writes nothing', async () => {
    const before = await count();
    const bad = await create(sales.token, { customerId: 'nope', title: '', dueAt: 'tomorrow', surprise: 1 });
    expect(bad.status).toBe(400);
    expect(bad.headers['content-type']).toMatch(/application\/problem\+json/);
    expect(bad.body.errors.map((e: { field: string }) => e.field).sort()).toEqual([
      'customerId',
      'dueAt',
      'surprise',
      'title',
    ]);
    const forOther = await create(sales.token, {
      customerId: customer,
      title: 'x',
      dueAt: '2026-06-16T03:00:00Z',
      assigneeId: sales2.id,
    });
    expect(forOther.status).toBe(403);
    expect(await count()).toBe(before);

    const task = (
      await create(sales.token, { customerId: customer, title: 'Stay open', dueAt: '2026-06-16T03:00:00Z' })
    ).body;
    const snapshot = await t.db.query(
      `SELECT status, outcome, snoozed_until, assignee_id, version FROM task WHERE id = $1`,
      [task.id],
    );
    expect(
      (await t.http.post(`/api/v1/tasks/${task.id}/complete`).set(bearer(sales.token)).send({ outcome: '' }))
        .status,
    ).toBe(400);
    expect(
      (await t.http.post(`/api/v1/tasks/${task.id}/complete`).set(bearer(sales.token)).send({})).status,
    ).toBe(400);
    expect(
      (await t.http.post(`/api/v1/tasks/${task.id}/snooze`).set(bearer(sales.token)).send({ until: 'soon' }))
        .status,
    ).toBe(400);
    expect(
      (
        await t.http
          .post(`/api/v1/tasks/${task.id}/reassign`)
          .set(bearer(manager.token))
          .send({ assigneeId: 42 })
      ).status,
    ).toBe(400);
    expect((await t.http.get('/api/v1/tasks?due=yesterday&type=nope').set(bearer(sales.token))).status).toBe(
      400,
    );
    expect(
      await t.db.query(
        `SELECT status, outcome, snoozed_until, assignee_id, version FROM task WHERE id = $1`,
        [task.id],
      ),
    ).toEqual(snapshot);
    expect(
      await t.db.query(`SELECT count(*)::int AS n FROM interaction WHERE summary LIKE '%Stay open%'`),
    ).toEqual([{ n: 0 }]);
  });

  it('answers 404 for another rooftop’s task and customer on every route', async () => {
    const task = (
      await create(sales.token, { customerId: customer, title: 'Hidden', dueAt: '2026-06-16T03:00:00Z' })
    ).body;
    const o = outsider.token;
    expect((await t.http.get(`/api/v1/tasks/${task.id}`).set(bearer(o))).status).toBe(404);
    expect(
      (await t.http.post(`/api/v1/tasks/${task.id}/complete`).set(bearer(o)).send({ outcome: 'x' })).status,
    ).toBe(404);
    expect(
      (
        await t.http
          .post(`/api/v1/tasks/${task.id}/snooze`)
          .set(bearer(o))
          .send({ until: '2026-06-20T03:00:00Z' })
      ).status,
    ).toBe(404);
    expect(
      (
        await t.http
          .post(`/api/v1/tasks/${task.id}/reassign`)
          .set(bearer(o))
          .send({ assigneeId: outsider.id })
      ).status,
    ).toBe(404);
    expect(
      (await create(o, { customerId: customer, title: 'x', dueAt: '2026-06-16T03:00:00Z' })).status,
    ).toBe(404);
    expect((await t.http.get(`/api/v1/tasks/${task.id}`).set(bearer(sales.token))).status).toBe(200);
  });

  it('raises a system task once per key, titled in its assignee’s language (TasksService.raise, the owner API)', async () => {
    const khmer = await t.user('salesperson', [rooftopId]);
    await t.db.query(`UPDATE app_user SET language = 'km' WHERE id = $1`, [khmer.id]);
    const raise = () =>
      t.db.transaction((m) =>
        t.app.get(TasksService).raise(m, {
          rooftopId,
          customerId: customer,
          type: 'win_back',
          titles: { en: 'Win back: English', km: 'Win back: Khmer' },
          assigneeId: khmer.id,
          dueAt: new Date('2026-06-20T03:00:00Z'),
          dedupeKey: `task:test:${khmer.id}`,
        }),
      );
    expect(await raise()).toBe(true);
    expect(await raise()).toBe(false);
    const rows = await t.db.query(`SELECT title, status, type FROM task WHERE assignee_id = $1`, [khmer.id]);
    expect(rows).toEqual([{ title: 'Win back: Khmer', status: 'open', type: 'win_back' }]);
  });
});
