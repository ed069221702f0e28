import { randomUUID } from 'node:crypto';
import { DomainEvents, type DomainEventMap } from '../../src/common/domain-events';
import { bearer, startTestApp, type TestApp } from '../support/test-app';

/** Business time: Monday 15 June 2026, 10:00 in Phnom Penh. */
const NOW = '2026-06-15T03:00:00Z';

/**
 * Replies (SPEC "Channels", Replies): the SMS and Telegram drivers emit 'message.received' in their
 * transaction; these tests emit it the same way (the drivers' own paths are tested with their peers).
 */
describe('replies: incoming SMS and Telegram texts', () => {
  let t: TestApp;
  let rooftopA: string;
  let rooftopB: string;
  let admin: { id: string; token: string };
  let managerA: { id: string; token: string };
  let salesA: { id: string; token: string };
  let managerB: { id: string; token: string };
  let seq = 0;

  beforeAll(async () => {
    t = await startTestApp({ now: NOW });
    rooftopA = (await t.rooftop({ name: 'Replies Phnom Penh', timeZone: 'Asia/Phnom_Penh' })).id;
    rooftopB = (await t.rooftop({ name: 'Replies Vientiane', timeZone: 'Asia/Vientiane' })).id;
    admin = await t.user('admin');
    managerA = await t.user('manager', [rooftopA]);
    salesA = await t.user('salesperson', [rooftopA]);
    managerB = await t.user('manager', [rooftopB]);
    await t.db.query(`UPDATE app_user SET language = 'km' WHERE id = $1`, [salesA.id]);
  });
  afterAll(() => t.close());

  const received = (e: Partial<DomainEventMap['message.received']> & { sender: string; text: string }) =>
    t.db.transaction((m) =>
      t.app.get(DomainEvents).emit(m, 'message.received', {
        channel: 'sms',
        providerRef: `ref-${++seq}`,
        receivedAt: new Date(NOW),
        ...e,
      }),
    );

  const nextPhone = () => `+8551${String(2000000 + ++seq).padStart(7, '0')}`;
  async function customer(rooftopId: string, fields: Record<string, unknown> = {}): Promise<string> {
    const res = await t.http
      .post('/api/v1/customers')
      .set(bearer(admin.token))
      .send({ firstName: 'Sokha', lastName: `Reply${++seq}`, homeRooftopId: rooftopId, ...fields });
    if (res.status !== 201) throw new Error(`customer: ${res.status} ${JSON.stringify(res.body)}`);
    return res.body.id as string;
  }
  const inboundRows = (providerRef: string) =>
    t.db.query(`SELECT * FROM inbound_message WHERE provider_ref = $1`, [providerRef]);
  const tasksOf = (customerId: string) =>
    t.db.query(`SELECT * FROM task WHERE customer_id = $1 AND type = 'reply' ORDER BY created_at`, [
      customerId,
    ]);
  const interactionsOf = (customerId: string) =>
    t.db.query(`SELECT * FROM interaction WHERE customer_id = $1 ORDER BY created_at`, [customerId]);

  it('puts an SMS from a known phone on the timeline and raises a task for the salesperson, due in 4 working hours', async () => {
    const phone = nextPhone();
    const id = await customer(rooftopA, { phone, assignedSalespersonId: salesA.id });
    // Saturday 13 June 16:00 in Phnom Penh: one working hour left that day, none on Sunday, three on Monday.
    await received({
      providerRef: 'known-sms',
      sender: phone,
      text: 'Can I come on Monday?',
      receivedAt: new Date('2026-06-13T09:00:00Z'),
    });

    const [interaction] = await interactionsOf(id);
    expect(interaction).toMatchObject({
      kind: 'sms',
      direction: 'inbound',
      summary: 'Can I come on Monday?',
      rooftop_id: rooftopA,
    });
    const tasks = await tasksOf(id);
    expect(tasks).toHaveLength(1);
    expect(tasks[0]).toMatchObject({ assignee_id: salesA.id, rooftop_id: rooftopA, status: 'open' });
    expect(tasks[0].due_at.toISOString()).toBe('2026-06-15T04:00:00.000Z'); // Monday 11:00 +07
    // In the salesperson's language (Khmer), naming the channel.
    expect(tasks[0].title).toBe('អតិថិជនបានឆ្លើយតបតាម SMS៖ សូមឆ្លើយតបទៅវិញ');
    const [row] = await inboundRows('known-sms');
    expect(row).toMatchObject({
      customer_id: id,
      rooftop_id: rooftopA,
      interaction_id: interaction.id,
      task_id: tasks[0].id,
      kind: 'reply',
      matched_by: null,
    });
  });

  it('counts the working hours of the rooftop’s service calendar when it has one', async () => {
    const rooftop = (await t.rooftop({ name: 'Replies Calendar', timeZone: 'Asia/Phnom_Penh' })).id;
    await t.user('manager', [rooftop]);
    await t.http
      .put(`/api/v1/rooftops/${rooftop}/service-calendar`)
      .set(bearer(admin.token))
      .send({ openingHours: [1, 2, 3, 4, 5].map((weekday) => ({ weekday, open: '07:30', close: '12:00' })) })
      .expect(200);
    const phone = nextPhone();
    const id = await customer(rooftop, { phone });
    // Friday 19 June 11:00: one hour on Friday, the workshop is closed at the weekend, three on Monday from 07:30.
    await received({ sender: phone, text: 'Is my car ready?', receivedAt: new Date('2026-06-19T04:00:00Z') });
    const [task] = await tasksOf(id);
    expect(task.due_at.toISOString()).toBe('2026-06-22T03:30:00.000Z'); // Monday 10:30 +07
  });

  it('gives the task to a manager of the rooftop when the customer has no salesperson', async () => {
    const phone = nextPhone();
    const id = await customer(rooftopA, { phone });
    await received({ sender: phone, text: 'Hello' });
    const [task] = await tasksOf(id);
    expect(task.assignee_id).toBe(managerA.id);
    expect(task.due_at.toISOString()).toBe('2026-06-15T07:00:00.000Z'); // Monday 10:00 + 4 h
  });

  it('puts a Telegram message from a linked chat on the timeline with a task', async () => {
    const id = await customer(rooftopA, { assignedSalespersonId: salesA.id });
    await t.db.query(
      `UPDATE customer SET telegram_chat_id = 777001, telegram_linked_at = now() WHERE id = $1`,
      [id],
    );
    await received({
      channel: 'telegram',
      providerRef: 'tg-update-1',
      sender: '777001',
      text: 'សួស្តី ខ្ញុំចង់ណាត់ជួប',
    });
    const [interaction] = await interactionsOf(id);
    expect(interaction).toMatchObject({ kind: 'telegram', direction: 'inbound', summary: 'សួស្តី ខ្ញុំចង់ណាត់ជួប' });
    expect(await tasksOf(id)).toHaveLength(1);
  });

  it('acts once when the same text is delivered twice: one row, one interaction, one task', async () => {
    const phone = nextPhone();
    const id = await customer(rooftopA, { phone, assignedSalespersonId: salesA.id });
    const event = { providerRef: 'smsc-42', sender: phone, text: 'Yes, Tuesday is fine' };
    await received(event);
    await received(event);
    expect(await inboundRows('smsc-42')).toHaveLength(1);
    expect(await interactionsOf(id)).toHaveLength(1);
    expect(await tasksOf(id)).toHaveLength(1);
    // The same reference on the other channel is another message.
    await received({ ...event, channel: 'telegram', sender: '1' });
    expect(await inboundRows('smsc-42')).toHaveLength(2);
  });

  it.each([
    ['STOP', ' stop '],
    ['Khmer', 'ឈប់'],
    ['Lao', 'ຢຸດ'],
  ])(
    'withdraws SMS consent for every purpose on %s, for everyone with the phone, and raises no task',
    async (_name, text) => {
      const phone = nextPhone();
      const first = await customer(rooftopA, { phone, assignedSalespersonId: salesA.id });
      const second = await customer(rooftopA, { phone }); // a family phone
      const ref = `stop-${randomUUID()}`;
      await received({ providerRef: ref, sender: phone, text });

      for (const id of [first, second]) {
        const current: {
          channel: string;
          purpose: string;
          granted: boolean;
          source: string;
          wording: string;
        }[] = await t.db.query(
          `SELECT DISTINCT ON (channel, purpose) channel, purpose, granted, source, wording
             FROM consent WHERE customer_id = $1 ORDER BY channel, purpose, at DESC, id DESC`,
          [id],
        );
        expect(
          current
            .filter((c) => c.channel === 'sms')
            .map((c) => [c.purpose, c.granted, c.source, c.wording])
            .sort(),
        ).toEqual([
          ['follow_ups', false, 'sms_stop', text],
          ['marketing', false, 'sms_stop', text],
          ['service_reminders', false, 'sms_stop', text],
          ['surveys', false, 'sms_stop', text],
        ]);
        expect(current.filter((c) => c.channel !== 'sms')).toEqual([]); // email untouched
        expect(await tasksOf(id)).toEqual([]);
        expect(await interactionsOf(id)).toEqual([]);
      }
      const [row] = await inboundRows(ref);
      expect(row).toMatchObject({ kind: 'stop', task_id: null, rooftop_id: rooftopA });
      expect([first, second]).toContain(row.customer_id);
    },
  );

  it('treats a text that merely contains a STOP word as a reply', async () => {
    const phone = nextPhone();
    const id = await customer(rooftopA, { phone });
    await received({ sender: phone, text: 'Please stop by tomorrow' });
    expect(await tasksOf(id)).toHaveLength(1);
    expect(await t.db.query(`SELECT 1 FROM consent WHERE customer_id = $1`, [id])).toEqual([]);
  });

  it('does not take a Telegram "stop" for an SMS STOP', async () => {
    const id = await customer(rooftopA, { phone: nextPhone() });
    await t.db.query(`UPDATE customer SET telegram_chat_id = 777002 WHERE id = $1`, [id]);
    await received({ channel: 'telegram', sender: '777002', text: 'STOP' });
    expect(await t.db.query(`SELECT 1 FROM consent WHERE customer_id = $1`, [id])).toEqual([]);
    expect(await tasksOf(id)).toHaveLength(1);
  });

  describe('an unknown sender', () => {
    const ref = 'unknown-1';
    let rowId: string;

    beforeAll(async () => {
      await received({ providerRef: ref, sender: '+85599000111', text: 'This is Dara, my new number' });
      [{ id: rowId }] = await inboundRows(ref);
    });

    const list = (token: string, query = '') =>
      t.http.get(`/api/v1/inbound-messages${query}`).set(bearer(token)).expect(200);

    it('is kept with no customer and listed unmatched for managers and admins, not for salespeople', async () => {
      const [row] = await inboundRows(ref);
      expect(row).toMatchObject({
        customer_id: null,
        rooftop_id: null,
        task_id: null,
        sender: '+85599000111',
      });
      for (const token of [admin.token, managerA.token, managerB.token]) {
        const ids = (await list(token, '?matched=false')).body.items.map((i: { id: string }) => i.id);
        expect(ids).toContain(rowId);
      }
      expect(
        (await list(admin.token, '?matched=true')).body.items.map((i: { id: string }) => i.id),
      ).not.toContain(rowId);
      expect(
        (await list(admin.token, '?channel=telegram')).body.items.map((i: { id: string }) => i.id),
      ).not.toContain(rowId);
      expect((await list(salesA.token, '?matched=false')).body.items).toEqual([]);
    });

    it('refuses bad input with 400 problem+json and writes nothing', async () => {
      const bad: [string, unknown, string][] = [
        [`/api/v1/inbound-messages/${rowId}/match`, { customerId: 'not-a-uuid' }, 'customerId'],
        [`/api/v1/inbound-messages/${rowId}/match`, {}, 'customerId'],
        [`/api/v1/inbound-messages/${rowId}/match`, { customerId: randomUUID(), extra: 1 }, 'extra'],
        [`/api/v1/inbound-messages/not-a-uuid/match`, { customerId: randomUUID() }, 'id'],
      ];
      for (const [url, body, field] of bad) {
        const res = await t.http
          .post(url)
          .set(bearer(admin.token))
          .send(body as object);
        expect({ url, status: res.status, type: res.headers['content-type'] }).toMatchObject({
          status: 400,
          type: expect.stringContaining('application/problem+json'),
        });
        expect(JSON.stringify(res.body)).toContain(field);
      }
      const res = await t.http
        .get('/api/v1/inbound-messages?matched=maybe&channel=email')
        .set(bearer(admin.token));
      expect(res.status).toBe(400);
      expect((res.body.errors as { field: string }[]).map((e) => e.field).sort()).toEqual([
        'channel',
        'matched',
      ]);
      expect(await inboundRows(ref)).toMatchObject([{ customer_id: null }]);
    });

    it('answers 404 naming customerId for another rooftop’s customer, and writes nothing', async () => {
      const other = await customer(rooftopB);
      const res = await t.http
        .post(`/api/v1/inbound-messages/${rowId}/match`)
        .set(bearer(managerA.token))
        .send({ customerId: other })
        .expect(404);
      expect(res.headers['content-type']).toContain('application/problem+json');
      expect(res.body.errors).toEqual([expect.objectContaining({ field: 'customerId' })]);
      const none = await t.http
        .post(`/api/v1/inbound-messages/${rowId}/match`)
        .set(bearer(managerA.token))
        .send({ customerId: randomUUID() })
        .expect(404);
      expect(none.body.errors).toEqual([expect.objectContaining({ field: 'customerId' })]);
      expect(await inboundRows(ref)).toMatchObject([{ customer_id: null, task_id: null }]);
      expect(await interactionsOf(other)).toEqual([]);
      expect(await tasksOf(other)).toEqual([]);
    });

    it('is matched by staff: linked, on the timeline, with a task due 4 working hours from the match', async () => {
      const dara = await customer(rooftopA, { assignedSalespersonId: salesA.id });
      // Matched on Monday 15:00 in Phnom Penh: two hours left today, two on Tuesday from 08:00.
      t.clock.set(new Date('2026-06-15T08:00:00Z'));
      let matched: Record<string, unknown>;
      try {
        const res = await t.http
          .post(`/api/v1/inbound-messages/${rowId}/match`)
          .set(bearer(managerA.token))
          .send({ customerId: dara })
          .expect(200);
        expect(res.body).toMatchObject({
          id: rowId,
          customerId: dara,
          rooftopId: rooftopA,
          matchedBy: managerA.id,
        });
        matched = res.body;
      } finally {
        t.clock.set(new Date(NOW));
      }
      const [interaction] = await interactionsOf(dara);
      expect(interaction).toMatchObject({
        kind: 'sms',
        direction: 'inbound',
        summary: 'This is Dara, my new number',
        created_by: managerA.id,
      });
      const tasks = await tasksOf(dara);
      expect(tasks).toHaveLength(1);
      expect(tasks[0]).toMatchObject({ assignee_id: salesA.id });
      expect(tasks[0].due_at.toISOString()).toBe('2026-06-16T03:00:00.000Z'); // Tuesday 10:00 +07
      expect(matched).toMatchObject({ interactionId: interaction.id, taskId: tasks[0].id });
      expect(
        await t.db.query(
          `SELECT 1 FROM audit_log WHERE action = 'inbound_message.matched' AND entity_id = $1`,
          [rowId],
        ),
      ).toHaveLength(1);
      // Now a reply of rooftop A: its salesperson sees it, the other rooftop's manager does not.
      const seen = (await list(salesA.token, '?matched=true')).body.items.map((i: { id: string }) => i.id);
      expect(seen).toContain(rowId);
      const notSeen = (await list(managerB.token)).body.items.map((i: { id: string }) => i.id);
      expect(notSeen).not.toContain(rowId);
      // Matching again: 409, and still one task; another rooftop's manager gets 404.
      await t.http
        .post(`/api/v1/inbound-messages/${rowId}/match`)
        .set(bearer(admin.token))
        .send({ customerId: dara })
        .expect(409);
      await t.http
        .post(`/api/v1/inbound-messages/${rowId}/match`)
        .set(bearer(managerB.token))
        .send({ customerId: dara })
        .expect(404);
      expect(await tasksOf(dara)).toHaveLength(1);
    });

    it('leaves matching to managers and admins (403 for a salesperson)', async () => {
      await t.http
        .post(`/api/v1/inbound-messages/${rowId}/match`)
        .set(bearer(salesA.token))
        .send({ customerId: randomUUID() })
        .expect(403);
    });

    it('makes one match of two at once: the other answers 409, one interaction, one task', async () => {
      await received({ providerRef: 'race-1', sender: '+85599000333', text: 'Race' });
      const [row] = await inboundRows('race-1');
      const id = await customer(rooftopA, { assignedSalespersonId: salesA.id });
      // Hold the row so that both requests are in flight before either can go on.
      const holder = t.db.createQueryRunner();
      await holder.connect();
      await holder.startTransaction();
      let statuses: number[];
      try {
        await holder.query(`SELECT 1 FROM inbound_message WHERE id = $1 FOR UPDATE`, [row.id]);
        const match = () =>
          t.http
            .post(`/api/v1/inbound-messages/${row.id}/match`)
            .set(bearer(admin.token))
            .send({ customerId: id })
            .then((r) => r.status);
        const both = Promise.all([match(), match()]);
        for (let waiting = 0; waiting < 2;) {
          await new Promise((r) => setTimeout(r, 20));
          [{ waiting }] = await t.db.query(
            `SELECT count(*)::int AS waiting FROM pg_stat_activity
              WHERE datname = current_database() AND wait_event_type = 'Lock'`,
          );
        }
        await holder.commitTransaction();
        statuses = (await both).sort();
      } finally {
        await holder.release();
      }
      expect(statuses).toEqual([200, 409]);
      expect(await interactionsOf(id)).toHaveLength(1);
      expect(await tasksOf(id)).toHaveLength(1);
    });

    it('cannot match a STOP from an unknown number (409)', async () => {
      await received({ providerRef: 'unknown-stop', sender: '+85599000222', text: 'STOP' });
      const [row] = await inboundRows('unknown-stop');
      expect(row).toMatchObject({ kind: 'stop', customer_id: null });
      const id = await customer(rooftopA);
      await t.http
        .post(`/api/v1/inbound-messages/${row.id}/match`)
        .set(bearer(admin.token))
        .send({ customerId: id })
        .expect(409);
      expect(await tasksOf(id)).toEqual([]);
    });
  });

  it('shows the conversation in the customer 360: messages out and in, newest first', async () => {
    const phone = nextPhone();
    const id = await customer(rooftopA, { phone, assignedSalespersonId: salesA.id });
    const [out] = await t.db.query(
      `INSERT INTO outbox_message (dedupe_key, rooftop_id, customer_id, kind, purpose, payload, scheduled_at, next_attempt_at,
                                   status, channel, sent_at)
       VALUES ($3, $1, $2, 'service_reminder', 'service_reminders', '{}', $4, $4, 'sent', 'sms', $4) RETURNING id`,
      [rooftopA, id, `replies:${id}`, '2026-06-14T02:00:00Z'],
    );
    await received({
      providerRef: 'conv-1',
      sender: phone,
      text: 'Thanks, booked',
      receivedAt: new Date('2026-06-14T05:00:00Z'),
    });
    await received({
      providerRef: 'conv-0',
      sender: phone,
      text: 'Earlier question',
      receivedAt: new Date('2026-06-13T05:00:00Z'),
    });

    const res = await t.http.get(`/api/v1/customers/${id}/360`).set(bearer(salesA.token)).expect(200);
    expect(res.body.conversation).toEqual([
      {
        direction: 'in',
        id: expect.any(String),
        channel: 'sms',
        kind: 'reply',
        text: 'Thanks, booked',
        receivedAt: '2026-06-14T05:00:00.000Z',
      },
      {
        direction: 'out',
        id: out.id,
        channel: 'sms',
        kind: 'service_reminder',
        status: 'sent',
        sentAt: '2026-06-14T02:00:00.000Z',
      },
      {
        direction: 'in',
        id: expect.any(String),
        channel: 'sms',
        kind: 'reply',
        text: 'Earlier question',
        receivedAt: '2026-06-13T05:00:00.000Z',
      },
    ]);
  });

  it('blanks what an erased customer wrote', async () => {
    const phone = nextPhone();
    const id = await customer(rooftopA, { phone });
    await received({ providerRef: 'erase-1', sender: phone, text: 'My address is 12 Street 51' });
    await t.http
      .post(`/api/v1/customers/${id}/erasure`)
      .set(bearer(admin.token))
      .expect((r) => {
        if (r.status >= 300) throw new Error(`erasure: ${r.status} ${JSON.stringify(r.body)}`);
      });
    expect(await inboundRows('erase-1')).toMatchObject([{ text: '', sender: '', customer_id: id }]);
  });
});
