import { DispatcherService } from '../src/messaging/dispatcher.service';
import { enqueue, insertCustomer, outboxRow } from './support/messaging-fixtures';
import { startSmtpSink, type SmtpSink } from './support/smtp-sink';
import { bearer, startTestApp, type TestApp } from './support/test-app';

const T = new Date('2026-06-15T03:00:00Z');

describe('messages API', () => {
  let t: TestApp;
  let sink: SmtpSink;
  let mine: string;
  let theirs: string;
  let sentId: string;
  let failedId: string;
  let pendingId: string;
  let foreignId: string;
  let bouncedCustomer: string;
  let manager: { token: string };
  let sales: { token: string };

  beforeAll(async () => {
    sink = await startSmtpSink();
    t = await startTestApp({ now: T.toISOString(), env: { SMTP_URL: sink.url } });
    mine = (await t.rooftop({ name: 'Mine Motors' })).id;
    theirs = (await t.rooftop({ name: 'Their Motors' })).id;
    manager = await t.user('manager', [mine]);
    sales = await t.user('salesperson', [mine]);

    const customer = await insertCustomer(t.db, mine);
    bouncedCustomer = await insertCustomer(t.db, mine);
    sentId = await enqueue(t.db, { rooftopId: mine, customerId: customer, payload: { message: 'Ready' } });
    failedId = await enqueue(t.db, { rooftopId: mine, customerId: bouncedCustomer });
    sink.respond((_n, raw) =>
      raw.toString().includes(failedId) ? { code: 550, message: 'Mailbox unavailable' } : null,
    );
    await t.app.get(DispatcherService).dispatch(T);
    sink.reset();
    pendingId = await enqueue(t.db, {
      rooftopId: mine,
      customerId: customer,
      kind: 'transactional',
      purpose: 'follow_ups',
      scheduledAt: new Date('2026-07-01T03:00:00Z'),
    });
    foreignId = await enqueue(t.db, { rooftopId: theirs, customerId: await insertCustomer(t.db, theirs) });
  });
  afterAll(async () => {
    await t.close();
    await sink.close();
  });

  it('lists the messages of the user’s rooftops, newest first, with filters and a cursor', async () => {
    const all = await t.http.get('/api/v1/messages').set(bearer(sales.token));
    expect(all.status).toBe(200);
    const ids = all.body.items.map((m: { id: string }) => m.id);
    expect(ids).toEqual(expect.arrayContaining([sentId, failedId, pendingId]));
    expect(ids).not.toContain(foreignId);

    const failed = await t.http.get('/api/v1/messages?status=failed').set(bearer(sales.token));
    expect(failed.body.items.map((m: { id: string }) => m.id)).toEqual([failedId]);
    expect(failed.body.items[0]).toMatchObject({ status: 'failed', statusReason: 'smtp_550', attempts: 1 });

    const byCustomer = await t.http
      .get(`/api/v1/messages?customerId=${bouncedCustomer}`)
      .set(bearer(sales.token));
    expect(byCustomer.body.items.map((m: { id: string }) => m.id)).toEqual([failedId]);

    const byKindAndPurpose = await t.http
      .get('/api/v1/messages?kind=transactional&purpose=follow_ups')
      .set(bearer(sales.token));
    expect(byKindAndPurpose.body.items.map((m: { id: string }) => m.id)).toEqual([pendingId]);

    const page1 = await t.http.get('/api/v1/messages?limit=2').set(bearer(sales.token));
    expect(page1.body.items).toHaveLength(2);
    expect(page1.body.nextCursor).toEqual(expect.any(String));
    const page2 = await t.http
      .get(`/api/v1/messages?limit=2&cursor=${page1.body.nextCursor}`)
      .set(bearer(sales.token));
    expect(page2.body.items).toHaveLength(1);
    expect(page2.body.nextCursor).toBeNull();
    expect(new Set([...page1.body.items, ...page2.body.items].map((m: { id: string }) => m.id)).size).toBe(3);

    const admin = await t.user('admin');
    const everything = await t.http.get('/api/v1/messages').set(bearer(admin.token));
    expect(everything.body.items.map((m: { id: string }) => m.id)).toContain(foreignId);
    const onlyTheirs = await t.http.get(`/api/v1/messages?rooftopId=${theirs}`).set(bearer(admin.token));
    expect(onlyTheirs.body.items.map((m: { id: string }) => m.id)).toEqual([foreignId]);
  });

  it('answers 400 naming the fields for bad filters', async () => {
    const res = await t.http
      .get('/api/v1/messages?status=lost&customerId=nope&limit=500&color=blue')
      .set(bearer(sales.token));
    expect(res.status).toBe(400);
    expect(res.headers['content-type']).toMatch(/application\/problem\+json/);
    expect(res.body.errors.map((e: { field: string }) => e.field).sort()).toEqual([
      'color',
      'customerId',
      'limit',
      'status',
    ]);
    const badCursor = await t.http.get('/api/v1/messages?cursor=garbage').set(bearer(sales.token));
    expect(badCursor.status).toBe(400);
    expect(badCursor.body.errors[0].field).toBe('cursor');
  });

  it('hides another rooftop’s messages (404) and its rooftop filter', async () => {
    expect((await t.http.get(`/api/v1/messages/${foreignId}`).set(bearer(sales.token))).status).toBe(404);
    expect((await t.http.get(`/api/v1/messages?rooftopId=${theirs}`).set(bearer(sales.token))).status).toBe(
      404,
    );
    expect((await t.http.post(`/api/v1/messages/${foreignId}/retry`).set(bearer(manager.token))).status).toBe(
      404,
    );
    expect((await t.http.get('/api/v1/messages/not-a-uuid').set(bearer(sales.token))).status).toBe(400);
  });

  it('shows one message with its rendered content, attempts and last error', async () => {
    const sent = await t.http.get(`/api/v1/messages/${sentId}`).set(bearer(sales.token));
    expect(sent.status).toBe(200);
    expect(sent.body).toMatchObject({
      id: sentId,
      status: 'sent',
      subject: 'A message from Mine Motors',
      attempts: 1,
    });
    expect(sent.body.html).toContain('Ready');
    expect(sent.body.text).toContain('Ready');
    expect(sent.body.attemptLog).toEqual([expect.objectContaining({ attempt: 1, outcome: 'sent' })]);

    const failed = await t.http.get(`/api/v1/messages/${failedId}`).set(bearer(sales.token));
    expect(failed.body.lastError).toContain('Mailbox unavailable');
    expect(failed.body.attemptLog).toEqual([expect.objectContaining({ outcome: 'bounced', smtpCode: 550 })]);
  });

  it('forbids a salesperson to retry (403) and refuses to retry a message that did not fail (409)', async () => {
    const forbidden = await t.http.post(`/api/v1/messages/${failedId}/retry`).set(bearer(sales.token));
    expect(forbidden.status).toBe(403);
    for (const id of [sentId, pendingId]) {
      const res = await t.http.post(`/api/v1/messages/${id}/retry`).set(bearer(manager.token));
      expect(res.status).toBe(409);
      expect(res.body).toMatchObject({ code: 'message_not_failed', currentStatus: expect.any(String) });
    }
    expect(await outboxRow(t.db, failedId)).toMatchObject({ status: 'failed' });
    expect(await outboxRow(t.db, sentId)).toMatchObject({ status: 'sent', attempts: 1 });
  });

  it('retries a failed message: pending now, then delivered by the next dispatch', async () => {
    const res = await t.http.post(`/api/v1/messages/${failedId}/retry`).set(bearer(manager.token));
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({
      status: 'pending',
      statusReason: 'manual_retry',
      nextAttemptAt: T.toISOString(),
    });
    // Retrying a bounced message vouches for the address again.
    expect(
      (await t.db.query(`SELECT email_bouncing FROM customer WHERE id = $1`, [bouncedCustomer]))[0]
        .email_bouncing,
    ).toBe(false);
    await t.app.get(DispatcherService).dispatch(new Date(T.getTime() + 60_000));
    expect(await outboxRow(t.db, failedId)).toMatchObject({ status: 'sent', attempts: 2 });
    expect(sink.accepted.filter((m) => m.parsed.messageId?.includes(failedId))).toHaveLength(1);
    const audit = await t.db.query(`SELECT action, fields FROM audit_log WHERE entity_id = $1`, [failedId]);
    expect(audit).toEqual([{ action: 'message.retried', fields: ['status'] }]);
  });
});
