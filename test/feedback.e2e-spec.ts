import { DomainEventMap } from '../src/common/domain-events';
import { DomainEvents } from '../src/common/domain-events';
import { LinkSigner } from '../src/common/link-signer';
import { FeedbackService } from '../src/feedback/feedback.service';
import { openComplaintSuppression } from '../src/feedback/open-complaint.rule';
import { JobsService } from '../src/jobs/jobs.service';
import { SendingRules } from '../src/messaging/sending-rules';
import { fixtures } from './follow-ups-fixtures';
import { bearer, startTestApp, TestApp } from './support/test-app';

describe('surveys, feedback and complaints', () => {
  let t: TestApp;
  let f: ReturnType<typeof fixtures>;
  let rooftopId: string;
  let otherRooftopId: string;
  let manager: { id: string; token: string };
  let manager2: { id: string; token: string };
  let sales: { id: string; token: string };
  let advisor: { id: string; token: string };
  let outsider: { id: string; token: string };
  const answered: DomainEventMap['survey.answered'][] = [];

  beforeAll(async () => {
    t = await startTestApp({ now: '2026-06-15T03:00:00Z' });
    f = fixtures(t);
    rooftopId = (await t.rooftop({ name: 'Phnom Penh Motors' })).id;
    otherRooftopId = (await t.rooftop()).id;
    manager = await t.user('manager', [rooftopId]);
    manager2 = await t.user('manager', [rooftopId]);
    sales = await t.user('salesperson', [rooftopId]);
    advisor = await t.user('service_advisor', [rooftopId]);
    outsider = await t.user('manager', [otherRooftopId]);
    t.app.get(DomainEvents).on('survey.answered', async (_m, e) => {
      answered.push(e);
    });
  });
  afterAll(() => t.close());

  /** A survey invitation as the planner writes it, and its signed token. */
  async function invitation(
    customerId: string,
    o: {
      kind?: 'sale' | 'service';
      issuedAt?: string;
      language?: string;
      salespersonId?: string;
      advisorId?: string;
    } = {},
  ) {
    const issuedAt = o.issuedAt ?? '2026-06-14T03:00:00Z';
    const [row] = await t.db.query(
      `INSERT INTO survey (kind, rooftop_id, customer_id, salesperson_id, advisor_id, dedupe_key, language, issued_at, expires_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $8::timestamptz + interval '30 days') RETURNING id`,
      [
        o.kind ?? 'sale',
        rooftopId,
        customerId,
        o.salespersonId ?? null,
        o.advisorId ?? null,
        `test:${Math.random()}`,
        o.language ?? 'en',
        issuedAt,
      ],
    );
    return {
      id: row.id as string,
      token: t.app.get(LinkSigner).sign('survey', { s: row.id, c: customerId }),
    };
  }
  const answer = (token: string, body: Record<string, unknown>) =>
    t.http.post(`/api/v1/surveys/${token}`).send(body);

  it('plans a survey whose signed link shows an HTML page to browsers and JSON to API clients', async () => {
    const customer = await f.customer(rooftopId, { language: 'lo' });
    const vehicle = await f.vehicle(rooftopId, customer, { purchaseDate: '2025-01-01' });
    await f.closedVisit(rooftopId, vehicle, customer, '2026-06-12T01:00:00Z', { advisorId: advisor.id });
    await f.runFollowUps('2026-06-15T03:00:00Z');
    const [mail] = await f.outbox(customer, 'survey_invitation');
    const path = new URL(mail.payload.surveyUrl as string).pathname;

    const json = await t.http.get(path).set('Accept', 'application/json');
    expect(json.status).toBe(200);
    expect(json.body).toMatchObject({
      kind: 'service',
      language: 'lo',
      rooftopName: 'Phnom Penh Motors',
      answered: false,
      status: 'open',
    });

    const html = await t.http.get(path).set('Accept', 'text/html,application/xhtml+xml');
    expect(html.status).toBe(200);
    expect(html.headers['content-type']).toMatch(/text\/html/);
    expect(html.text).toContain('lang="lo"');
    expect(html.text).toContain('ແນະນຳ Phnom Penh Motors');
    expect(html.text).toContain('name="nps" value="10"');
    expect(html.text).toContain('name="csat" value="5"');
  });

  it('records an answer once (again → 409), on the timeline and as survey.answered', async () => {
    const customer = await f.customer(rooftopId);
    const s = await invitation(customer, { salespersonId: sales.id });
    const ok = await answer(s.token, { nps: 9, csat: 5, comment: 'Great service' });
    expect(ok.status).toBe(200);
    expect(ok.body).toEqual({ surveyId: s.id, category: 'promoter', complaintOpened: false });
    const [row] = await t.db.query(`SELECT nps, csat, comment, answered_at FROM survey WHERE id = $1`, [
      s.id,
    ]);
    expect(row).toMatchObject({ nps: 9, csat: 5, comment: 'Great service' });
    expect(row.answered_at.toISOString()).toBe('2026-06-15T03:00:00.000Z');
    expect(answered).toContainEqual(
      expect.objectContaining({ surveyId: s.id, customerId: customer, nps: 9, csat: 5 }),
    );
    const [note] = await t.db.query(`SELECT kind, summary FROM interaction WHERE customer_id = $1`, [
      customer,
    ]);
    expect(note.summary).toContain('NPS 9 (promoter)');

    const again = await answer(s.token, { nps: 2, csat: 1 });
    expect(again.status).toBe(409);
    expect(again.body.code).toBe('survey_answered');
    expect((await t.db.query(`SELECT nps FROM survey WHERE id = $1`, [s.id]))[0].nps).toBe(9);
    expect(
      await t.db.query(`SELECT count(*)::int AS n FROM complaint_case WHERE customer_id = $1`, [customer]),
    ).toEqual([{ n: 0 }]);
    const page = await t.http.get(`/api/v1/surveys/${s.token}`).set('Accept', 'text/html');
    expect(page.text).toContain('already answered');
  });

  it('answers 410 after 30 days and 404 for a forged or altered token', async () => {
    const customer = await f.customer(rooftopId);
    const old = await invitation(customer, { issuedAt: '2026-05-15T03:00:00Z' });
    const late = await answer(old.token, { nps: 8, csat: 4 });
    expect(late.status).toBe(410);
    expect(late.headers['content-type']).toMatch(/application\/problem\+json/);
    expect((await t.http.get(`/api/v1/surveys/${old.token}`).set('Accept', 'text/html')).status).toBe(410);

    const fresh = await invitation(customer);
    const [body, sig] = fresh.token.split('.');
    const tampered = `${body}.${sig.slice(0, -2)}xx`;
    expect((await answer(tampered, { nps: 8, csat: 4 })).status).toBe(404);
    const otherCustomer = await f.customer(rooftopId);
    const forged = t.app.get(LinkSigner).sign('survey', { s: fresh.id, c: otherCustomer });
    expect((await answer(forged, { nps: 8, csat: 4 })).status).toBe(404);
    const wrongKind = t.app.get(LinkSigner).sign('unsubscribe', { s: fresh.id, c: customer });
    expect((await t.http.get(`/api/v1/surveys/${wrongKind}`).set('Accept', 'application/json')).status).toBe(
      404,
    );
    const notFoundPage = await t.http.get('/api/v1/surveys/garbage').set('Accept', 'text/html');
    expect(notFoundPage.status).toBe(404);
    expect(notFoundPage.text).toContain('not valid');
    expect(
      (await t.db.query(`SELECT answered_at FROM survey WHERE id = $1`, [fresh.id]))[0].answered_at,
    ).toBeNull();
  });

  it('rejects a bad answer (JSON or form) naming the fields, and writes nothing', async () => {
    const customer = await f.customer(rooftopId);
    const s = await invitation(customer);
    const bad = await answer(s.token, { nps: 11, csat: 0, extra: true });
    expect(bad.status).toBe(400);
    expect([...new Set(bad.body.errors.map((e: { field: string }) => e.field))].sort()).toEqual([
      'csat',
      'extra',
      'nps',
    ]);
    const form = await t.http.post(`/api/v1/surveys/${s.token}`).type('form').send('nps=ten&csat=3');
    expect(form.status).toBe(400);
    expect(new Set(form.body.errors.map((e: { field: string }) => e.field))).toEqual(new Set(['nps']));
    expect(
      (await t.db.query(`SELECT answered_at FROM survey WHERE id = $1`, [s.id]))[0].answered_at,
    ).toBeNull();
    expect(
      await t.db.query(`SELECT count(*)::int AS n FROM interaction WHERE customer_id = $1`, [customer]),
    ).toEqual([{ n: 0 }]);
    const ok = await t.http.post(`/api/v1/surveys/${s.token}`).type('form').send('nps=7&csat=4&comment=OK');
    expect(ok.status).toBe(200);
    expect(ok.headers['content-type']).toMatch(/text\/html/);
    expect(ok.text).toContain('Thank you for your feedback');
  });

  it('opens a complaint for a detractor; a breached first response raises one task per manager, once', async () => {
    const customer = await f.customer(rooftopId);
    const s = await invitation(customer, { kind: 'service', advisorId: advisor.id });
    const res = await answer(s.token, { nps: 3, csat: 2, comment: 'Car was not ready on time' });
    expect(res.body).toMatchObject({ category: 'detractor', complaintOpened: true });
    const [c] = await t.db.query(`SELECT * FROM complaint_case WHERE survey_id = $1`, [s.id]);
    expect(c).toMatchObject({ source: 'survey', state: 'open', owner_id: manager.id, severity: 'high' });
    expect(c.first_response_due_at.toISOString()).toBe('2026-06-16T03:00:00.000Z');
    expect(c.resolution_due_at.toISOString()).toBe('2026-06-22T03:00:00.000Z');

    const jobs = t.app.get(JobsService);
    await jobs.run('complaint-sla', new Date('2026-06-16T02:00:00Z'));
    expect(await t.db.query(`SELECT count(*)::int AS n FROM task WHERE complaint_id = $1`, [c.id])).toEqual([
      { n: 0 },
    ]);
    await jobs.run('complaint-sla', new Date('2026-06-16T04:00:00Z'));
    const tasks = await t.db.query(
      `SELECT assignee_id, type FROM task WHERE complaint_id = $1 ORDER BY assignee_id`,
      [c.id],
    );
    expect(tasks.map((x: { assignee_id: string }) => x.assignee_id).sort()).toEqual(
      [manager.id, manager2.id].sort(),
    );
    expect(tasks.every((x: { type: string }) => x.type === 'complaint_breach')).toBe(true);
    await jobs.run('complaint-sla', new Date('2026-06-16T05:00:00Z'));
    expect(await t.db.query(`SELECT count(*)::int AS n FROM task WHERE complaint_id = $1`, [c.id])).toEqual([
      { n: 2 },
    ]);
    const [flags] = await t.db.query(
      `SELECT breached_first_response, breached_resolution FROM complaint_case WHERE id = $1`,
      [c.id],
    );
    expect(flags).toEqual({ breached_first_response: true, breached_resolution: false });
    const breached = await t.http.get('/api/v1/complaints?breached=true').set(bearer(manager.token));
    expect(breached.body.items.map((x: { id: string }) => x.id)).toContain(c.id);
  });

  it('opens a complaint for CSAT 1–2 even with a passive NPS, and none for a promoter', async () => {
    const customer = await f.customer(rooftopId);
    const s = await invitation(customer);
    expect((await answer(s.token, { nps: 8, csat: 2 })).body.complaintOpened).toBe(true);
    const s2 = await invitation(customer);
    expect((await answer(s2.token, { nps: 10, csat: 3 })).body.complaintOpened).toBe(false);
  });

  it('moves a complaint open → acknowledged → resolved → closed → reopened (managers only; 409 otherwise)', async () => {
    const customer = await f.customer(rooftopId);
    const opened = await t.http
      .post('/api/v1/complaints')
      .set(bearer(sales.token))
      .send({ customerId: customer, source: 'call', summary: 'Scratch on the bumper after service' });
    expect(opened.status).toBe(201);
    expect(opened.body).toMatchObject({ state: 'open', ownerId: manager.id, severity: 'medium', version: 1 });
    const id = opened.body.id;
    const go = (action: string, token: string, body: Record<string, unknown> = {}, ifMatch?: string) => {
      const req = t.http.post(`/api/v1/complaints/${id}/${action}`).set(bearer(token));
      if (ifMatch) void req.set('If-Match', ifMatch);
      return req.send(body);
    };
    expect((await go('acknowledge', sales.token)).status).toBe(403);
    expect((await go('acknowledge', advisor.token)).status).toBe(403);
    expect((await go('resolve', manager.token, { resolution: 'x' })).status).toBe(409);
    expect((await go('close', manager.token)).status).toBe(409);
    expect((await go('reopen', manager.token, { reason: 'x' })).status).toBe(409);
    expect((await go('acknowledge', manager.token, {}, '"7"')).status).toBe(412);
    const ack = await go('acknowledge', manager.token, {}, '"1"');
    expect(ack.status).toBe(200);
    expect(ack.body).toMatchObject({
      state: 'acknowledged',
      acknowledgedAt: '2026-06-15T03:00:00.000Z',
      breachedFirstResponse: false,
    });
    expect((await go('resolve', manager.token, { resolution: '' })).status).toBe(400);
    const resolved = await go('resolve', manager.token, {
      resolution: 'Repainted free of charge',
      apologySent: true,
      goodwillPoints: 300,
    });
    expect(resolved.status).toBe(200);
    expect(resolved.body).toMatchObject({
      state: 'resolved',
      resolution: 'Repainted free of charge',
      apologySent: true,
      goodwillPoints: 300,
    });
    const ledger = await t.db.query(`SELECT points, source FROM loyalty_entry WHERE customer_id = $1`, [
      customer,
    ]);
    expect(ledger).toEqual([{ points: 300, source: 'complaint_goodwill' }]);
    expect((await go('close', manager.token)).body.state).toBe('closed');
    const reopened = await go('reopen', manager.token, { reason: 'The scratch is back' });
    expect(reopened.body).toMatchObject({ state: 'open', closedAt: null, resolvedAt: null });
    expect(reopened.body.notes.map((n: { body: string }) => n.body)).toEqual([
      'open → acknowledged',
      'Resolved: Repainted free of charge',
      'resolved → closed',
      'Reopened: The scratch is back',
    ]);
    const note = await t.http
      .post(`/api/v1/complaints/${id}/notes`)
      .set(bearer(sales.token))
      .send({ body: 'Customer called again' });
    expect(note.status).toBe(201);
    const detail = await t.http.get(`/api/v1/complaints/${id}`).set(bearer(advisor.token));
    expect(detail.body.notes.at(-1)).toMatchObject({ body: 'Customer called again', authorId: sales.id });
  });

  it('rejects a bad complaint and writes nothing; another rooftop’s customer is 404', async () => {
    const customer = await f.customer(rooftopId);
    const before = (await t.db.query(`SELECT count(*)::int AS n FROM complaint_case`))[0].n;
    const bad = await t.http
      .post('/api/v1/complaints')
      .set(bearer(sales.token))
      .send({ customerId: customer, source: 'survey', severity: 'urgent', summary: '' });
    expect(bad.status).toBe(400);
    expect(bad.body.errors.map((e: { field: string }) => e.field).sort()).toEqual([
      'severity',
      'source',
      'summary',
    ]);
    const badOwner = await t.http
      .post('/api/v1/complaints')
      .set(bearer(manager.token))
      .send({ customerId: customer, source: 'email', summary: 'x', ownerId: sales.id });
    expect(badOwner.status).toBe(422);
    expect(
      (
        await t.http
          .post('/api/v1/complaints')
          .set(bearer(outsider.token))
          .send({ customerId: customer, source: 'email', summary: 'x' })
      ).status,
    ).toBe(404);
    expect((await t.db.query(`SELECT count(*)::int AS n FROM complaint_case`))[0].n).toBe(before);
    const c = (
      await t.http
        .post('/api/v1/complaints')
        .set(bearer(advisor.token))
        .send({ customerId: customer, source: 'visit', summary: 'Rude at the desk' })
    ).body;
    expect(
      (await t.http.post(`/api/v1/complaints/${c.id}/notes`).set(bearer(sales.token)).send({ body: '' }))
        .status,
    ).toBe(400);
    expect(
      await t.db.query(`SELECT count(*)::int AS n FROM complaint_note WHERE case_id = $1`, [c.id]),
    ).toEqual([{ n: 0 }]);
    const o = outsider.token;
    expect((await t.http.get(`/api/v1/complaints/${c.id}`).set(bearer(o))).status).toBe(404);
    expect(
      (await t.http.post(`/api/v1/complaints/${c.id}/notes`).set(bearer(o)).send({ body: 'x' })).status,
    ).toBe(404);
    for (const action of ['acknowledge', 'close'])
      expect((await t.http.post(`/api/v1/complaints/${c.id}/${action}`).set(bearer(o)).send({})).status).toBe(
        404,
      );
    expect(
      (await t.http.post(`/api/v1/complaints/${c.id}/resolve`).set(bearer(o)).send({ resolution: 'x' }))
        .status,
    ).toBe(404);
    expect(
      (await t.http.post(`/api/v1/complaints/${c.id}/reopen`).set(bearer(o)).send({ reason: 'x' })).status,
    ).toBe(404);
    expect((await t.http.get('/api/v1/complaints').set(bearer(o))).body.items).toEqual([]);
  });

  it('suppresses marketing email while the customer has an open complaint (sending-rule hook)', async () => {
    const customer = await f.customer(rooftopId);
    const c = (
      await t.http
        .post('/api/v1/complaints')
        .set(bearer(manager.token))
        .send({ customerId: customer, source: 'social', summary: 'Angry post' })
    ).body;
    const message = {
      id: '00000000-0000-4000-8000-000000000000',
      customerId: customer,
      rooftopId,
      vehicleId: null,
      kind: 'birthday',
      purpose: 'marketing' as const,
      payload: {},
    };
    expect(await openComplaintSuppression(t.db.manager, message)).toBe('open_complaint');
    expect(
      await openComplaintSuppression(t.db.manager, { ...message, purpose: 'service_reminders' }),
    ).toBeNull();
    // Through the dispatcher's rules (marketing needs an opt-in, so grant it first).
    await t.db.query(
      `INSERT INTO consent (customer_id, purpose, granted, at, source) VALUES ($1, 'marketing', true, '2026-01-01T00:00:00Z', 'test')`,
      [customer],
    );
    const rules = t.app.get(SendingRules, { strict: false });
    const ctx = {
      customer: { email: 'x@example.test', erasedAt: null, emailBouncing: false },
      rooftop: { timeZone: 'Asia/Phnom_Penh', sendWindowStart: '00:00', sendWindowEnd: '00:00' },
    };
    expect(await rules.evaluate(t.db.manager, message, ctx, new Date('2026-06-15T03:00:00Z'))).toEqual({
      action: 'suppress',
      reason: 'open_complaint',
    });
    for (const [action, body] of [
      ['acknowledge', {}],
      ['resolve', { resolution: 'Apologised' }],
    ] as const) {
      await t.http.post(`/api/v1/complaints/${c.id}/${action}`).set(bearer(manager.token)).send(body);
    }
    expect(await openComplaintSuppression(t.db.manager, message)).toBeNull();
    expect(await rules.evaluate(t.db.manager, message, ctx, new Date('2026-06-15T03:00:00Z'))).not.toEqual(
      expect.objectContaining({ reason: 'open_complaint' }),
    );
  });

  it('lists answers with filters and summarises NPS, CSAT and the response rate', async () => {
    const r = (await t.rooftop()).id;
    const m = await t.user('manager', [r]);
    const sp = await t.user('salesperson', [r]);
    const customer = await f.customer(r);
    const mk = async (nps: number | null, csat: number | null, kind = 'sale') => {
      await t.db.query(
        `INSERT INTO survey (kind, rooftop_id, customer_id, salesperson_id, dedupe_key, issued_at, expires_at, answered_at, nps, csat)
         VALUES ($1, $2, $3, $4, $5, '2026-06-01T00:00:00Z', '2026-07-01T00:00:00Z', $6, $7, $8)`,
        [
          kind,
          r,
          customer,
          kind === 'sale' ? sp.id : null,
          `sum:${Math.random()}`,
          nps === null ? null : '2026-06-02T00:00:00Z',
          nps,
          csat,
        ],
      );
    };
    await mk(10, 5);
    await mk(9, 4);
    await mk(7, 3);
    await mk(2, 1);
    await mk(null, null); // invited, not answered
    await mk(5, 5, 'service');
    const summary = await t.http
      .get(`/api/v1/feedback/summary?rooftopId=${r}&kind=sale`)
      .set(bearer(m.token));
    expect(summary.status).toBe(200);
    expect(summary.body).toEqual({
      invited: 5,
      responses: 4,
      responseRate: 0.8,
      nps: 25,
      promoters: 2,
      passives: 1,
      detractors: 1,
      csat: 0.5,
      csatResponses: 4,
    });
    const detractors = await t.http
      .get(`/api/v1/feedback?rooftopId=${r}&category=detractor`)
      .set(bearer(m.token));
    expect(detractors.body.items.map((x: { nps: number }) => x.nps).sort()).toEqual([2, 5]);
    const bySales = await t.http.get(`/api/v1/feedback?salespersonId=${sp.id}&limit=2`).set(bearer(m.token));
    expect(bySales.body.items).toHaveLength(2);
    expect(bySales.body.nextCursor).toBeTruthy();
    expect(
      (await t.http.get(`/api/v1/feedback/summary?rooftopId=${r}`).set(bearer(outsider.token))).status,
    ).toBe(404);
    expect(
      (await t.http.get('/api/v1/feedback?category=angry&from=yesterday').set(bearer(m.token))).status,
    ).toBe(400);
  });

  it('gives the customer 360 its surveys, tasks and complaints', async () => {
    const customer = await f.customer(rooftopId);
    await invitation(customer);
    await t.http
      .post('/api/v1/complaints')
      .set(bearer(sales.token))
      .send({ customerId: customer, source: 'email', summary: 'Late delivery' });
    await t.http
      .post('/api/v1/tasks')
      .set(bearer(sales.token))
      .send({ customerId: customer, title: 'Call', dueAt: '2026-06-16T03:00:00Z' });
    const sections = await t.app.get(FeedbackService).sectionsFor360(customer);
    expect(sections.surveys).toHaveLength(1);
    expect(sections.complaints.map((c) => c.summary)).toEqual(['Late delivery']);
    expect(sections.tasks.map((x) => x.title)).toEqual(['Call']);

    const view = await t.http.get(`/api/v1/customers/${customer}/360`).set(bearer(sales.token));
    expect(view.status).toBe(200);
    expect(view.body.surveys).toHaveLength(1);
    expect(view.body.complaints.map((c: { summary: string }) => c.summary)).toEqual(['Late delivery']);
    expect(view.body.tasks.map((x: { title: string }) => x.title)).toEqual(['Call']);
    expect(view.body.loyalty).toBeDefined();
  });
});
