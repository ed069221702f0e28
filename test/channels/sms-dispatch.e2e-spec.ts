import * as fs from 'node:fs';
import * as path from 'node:path';
import { DispatcherService } from '../../src/messaging/dispatcher.service';
import { enqueue, outboxRow } from '../support/messaging-fixtures';
import { startSmppPeer, type SmppPeer } from '../support/smpp-peer';
import { startTestApp, type TestApp } from '../support/test-app';

/** 10:00 in Phnom Penh and Vientiane: inside the default sending window. */
const T = new Date('2026-06-15T03:00:00Z');

let seq = 0;

/**
 * The "done when" for SMS, through the app's own dispatcher, SmsDriver and a real SMPP peer: a customer
 * with a phone and no Telegram gets a Khmer (or Lao) reminder as UCS-2 SMS in at most two parts; the SMSC's
 * receipts mark it delivered, or undeliverable and then it falls back to email, once.
 */
describe('an outbox message goes out as SMS over SMPP and its receipts come back', () => {
  let t: TestApp;
  let peer: SmppPeer;
  let dispatcher: DispatcherService;
  let rooftopId: string;

  beforeAll(async () => {
    peer = await startSmppPeer();
    t = await startTestApp({ now: T.toISOString(), env: { SMPP_URL: peer.url, SMS_SENDER: 'ToyotaPP' } });
    dispatcher = t.app.get(DispatcherService);
    rooftopId = (
      await t.rooftop({
        name: 'Phnom Penh Toyota Service',
        bookingUrl: 'https://www.phnompenh-toyota.com/service/booking?utm_source=crm&campaign=reminders',
      })
    ).id;
  });
  afterAll(async () => {
    await t?.close();
    await peer?.close();
  });

  async function customerWithPhone(language: 'km' | 'lo') {
    seq += 1;
    const phone =
      language === 'km'
        ? `+8551288${String(seq).padStart(4, '0')}`
        : `+85620555${String(seq).padStart(5, '0')}`;
    const [{ id }]: { id: string }[] = await t.db.query(
      `INSERT INTO customer (home_rooftop_id, first_name, last_name, email, phone, language)
       VALUES ($1, $2, 'Test', $3, $4, $5) RETURNING id`,
      [rooftopId, language === 'km' ? 'សុវណ្ណារិទ្ធ' : 'ສົມພອນ', `sms${seq}@example.test`, phone, language],
    );
    return { id, phone };
  }

  const reminder = (customerId: string) =>
    enqueue(t.db, {
      rooftopId,
      customerId,
      kind: 'service_reminder',
      purpose: 'service_reminders',
      payload: { items: [{ model: 'Land Cruiser' }] },
      scheduledAt: T,
    });
  const smsTo = (phone: string) => peer.messages().filter((m) => `+${m.destination}` === phone);
  const refsOf = async (id: string): Promise<string[]> =>
    (await t.db.query(`SELECT ref FROM message_provider_ref WHERE message_id = $1 ORDER BY ref`, [id])).map(
      (r: { ref: string }) => r.ref,
    );
  const mailOf = (id: string) => fs.existsSync(path.join(t.config.mailDir, `${id}.eml`));

  it.each(['km', 'lo'] as const)(
    'sends a %s reminder as UCS-2 in at most two parts that read back as the text sent, from SMS_SENDER',
    async (language) => {
      const c = await customerWithPhone(language);
      const id = await reminder(c.id);
      await dispatcher.dispatch(T);

      const row = await outboxRow(t.db, id);
      expect(row).toMatchObject({ status: 'sent', channel: 'sms', to_address: c.phone });
      const [sms, ...others] = smsTo(c.phone);
      expect(others).toHaveLength(0);
      expect(sms.dataCoding).toBe(8);
      expect(sms.parts.length).toBeLessThanOrEqual(2);
      expect(sms.parts.every((p) => p.dataCoding === 8 && p.source === 'ToyotaPP')).toBe(true);
      expect(sms.text).toBe(row.text_body);
      expect(sms.text).toMatch(/\/l\/[0-9A-Za-z]{10}$/);
      expect(await refsOf(id)).toEqual(sms.parts.map((p) => p.messageId).sort());
    },
  );

  it('marks the message delivered when the SMSC reports it delivered', async () => {
    const c = await customerWithPhone('km');
    const id = await reminder(c.id);
    await dispatcher.dispatch(T);
    for (const ref of await refsOf(id)) expect(await peer.receipt(ref, 'DELIVRD')).toBe(0);
    expect(await outboxRow(t.db, id)).toMatchObject({ status: 'sent', delivery_status: 'delivered' });
  });

  it('an undeliverable receipt falls back to email, once, whatever the other parts report', async () => {
    const c = await customerWithPhone('lo');
    const id = await reminder(c.id);
    await dispatcher.dispatch(T);
    const refs = await refsOf(id);
    expect(await peer.receipt(refs[0], 'UNDELIV', { tlv: true })).toBe(0);
    expect(await outboxRow(t.db, id)).toMatchObject({
      failed_channels: ['sms'],
      delivery_status: 'undeliverable',
    });

    await dispatcher.dispatch(T);
    for (const ref of refs) expect(await peer.receipt(ref, 'UNDELIV')).toBe(0);
    await dispatcher.dispatch(T);

    expect(await outboxRow(t.db, id)).toMatchObject({
      status: 'sent',
      channel: 'email',
      failed_channels: ['sms'],
    });
    expect(mailOf(id)).toBe(true);
    expect(smsTo(c.phone)).toHaveLength(1);
    const attempts = await t.db.query(
      `SELECT channel, outcome FROM message_attempt WHERE message_id = $1 ORDER BY attempt, id`,
      [id],
    );
    expect(attempts.map((a: { channel: string }) => a.channel)).toEqual(['sms', 'email']);
  });
});
