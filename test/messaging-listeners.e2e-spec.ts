import { DomainEvents, type DomainEventMap, type DomainEventName } from '../src/common/domain-events';
import { enqueue, insertCustomer, outboxRow } from './support/messaging-fixtures';
import { startTestApp, type TestApp } from './support/test-app';

const T = new Date('2026-06-15T03:00:00Z');

/**
 * Customers own consent and erasure and tell messaging by events; messaging cleans its own rows in its
 * listeners (src/messaging/messaging.listeners.ts). These tests emit the events as customers do.
 */
describe('messaging listens to customers', () => {
  let t: TestApp;
  let rooftopId: string;

  beforeAll(async () => {
    t = await startTestApp({ now: T.toISOString() });
    rooftopId = (await t.rooftop()).id;
  });
  afterAll(() => t.close());

  const emit = <K extends DomainEventName>(name: K, payload: DomainEventMap[K]) =>
    t.db.transaction((m) => t.app.get(DomainEvents).emit(m, name, payload));

  it('suppresses the pending messages of a purpose when consent.changed withdraws it, and only those', async () => {
    const customerId = await insertCustomer(t.db, rooftopId);
    const other = await insertCustomer(t.db, rooftopId);
    const offer = await enqueue(t.db, { rooftopId, customerId, purpose: 'marketing' });
    const survey = await enqueue(t.db, { rooftopId, customerId, purpose: 'surveys' });
    const receipt = await enqueue(t.db, { rooftopId, customerId });
    const othersOffer = await enqueue(t.db, { rooftopId, customerId: other, purpose: 'marketing' });

    await emit('consent.changed', {
      customerId,
      purpose: 'marketing',
      channel: 'email',
      granted: true,
      at: T,
    });
    expect(await outboxRow(t.db, offer)).toMatchObject({ status: 'pending' });

    await emit('consent.changed', {
      customerId,
      purpose: 'marketing',
      channel: 'email',
      granted: false,
      at: T,
    });
    expect(await outboxRow(t.db, offer)).toMatchObject({
      status: 'suppressed',
      status_reason: 'consent_withdrawn',
    });
    expect(await outboxRow(t.db, survey)).toMatchObject({ status: 'pending' });
    expect(await outboxRow(t.db, receipt)).toMatchObject({ status: 'pending' });
    expect(await outboxRow(t.db, othersOffer)).toMatchObject({ status: 'pending' });
  });

  it('cancels pending messages and scrubs every message row of the customer when customer.erased arrives', async () => {
    const customerId = await insertCustomer(t.db, rooftopId, { email: 'kanha@example.test' });
    const pending = await enqueue(t.db, { rooftopId, customerId, purpose: 'follow_ups' });
    const [failed] = await t.db.query(
      `INSERT INTO outbox_message (dedupe_key, rooftop_id, customer_id, kind, purpose, payload, scheduled_at, next_attempt_at,
                                   status, to_address, subject, html_body, text_body, last_error)
       VALUES ('listeners:failed', $1, $2, 'thank_you', 'follow_ups', '{"firstName":"Kanha"}', now(), now(), 'failed',
               'kanha@example.test', 'Thank you, Kanha', '<p>Kanha</p>', 'Kanha', '550 <kanha@example.test> unknown')
       RETURNING id`,
      [rooftopId, customerId],
    );
    await t.db.query(
      `INSERT INTO message_attempt (message_id, attempt, fence, worker, started_at, finished_at, outcome, smtp_code, error)
       VALUES ($1, 1, 1, 'test', now(), now(), 'failed', 550, '550 <kanha@example.test> unknown')`,
      [failed.id],
    );
    const bystander = await insertCustomer(t.db, rooftopId);
    const theirs = await enqueue(t.db, { rooftopId, customerId: bystander, purpose: 'follow_ups' });

    await emit('customer.erased', { customerId, at: T });

    expect(await outboxRow(t.db, pending)).toMatchObject({
      status: 'cancelled',
      status_reason: 'customer_erased',
      payload: {},
    });
    expect(await outboxRow(t.db, failed.id)).toMatchObject({
      status: 'failed',
      to_address: null,
      subject: null,
      html_body: null,
      text_body: null,
      last_error: null,
      payload: {},
    });
    expect(await t.db.query(`SELECT error FROM message_attempt WHERE message_id = $1`, [failed.id])).toEqual([
      { error: null },
    ]);
    expect(await outboxRow(t.db, theirs)).toMatchObject({ status: 'pending' });
  });
});
