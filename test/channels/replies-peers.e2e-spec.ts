import type { AddressInfo } from 'node:net';
import { TelegramWebhookSetup } from '../../src/messaging/channels/telegram/telegram-webhook-setup';
import { startSmppPeer, type SmppPeer } from '../support/smpp-peer';
import { TelegramBotApi } from '../support/telegram-bot-api';
import { bearer, startTestApp, type TestApp } from '../support/test-app';

/** Saturday 13 June 2026, 16:00 in Phnom Penh: a reply now is due on Monday at 11:00 (04:00Z). */
const SATURDAY_4PM = '2026-06-13T09:00:00Z';
const MONDAY_11AM = '2026-06-15T04:00:00.000Z';

/**
 * Replies through the real paths: an incoming SMS from the SMPP peer (deliver_sm) and a Telegram message posted
 * to the webhook by the Bot API stand-in become the interaction and the task (SPEC "Replies").
 */
async function setUp(t: TestApp, phone: string | null) {
  const rooftop = (await t.rooftop({ timeZone: 'Asia/Phnom_Penh' })).id;
  const admin = await t.user('admin');
  const sales = await t.user('salesperson', [rooftop]);
  const res = await t.http.post('/api/v1/customers').set(bearer(admin.token)).send({
    firstName: 'Bopha',
    lastName: 'Peer',
    homeRooftopId: rooftop,
    phone,
    assignedSalespersonId: sales.id,
  });
  if (res.status !== 201) throw new Error(`customer: ${res.status} ${JSON.stringify(res.body)}`);
  return { rooftop, sales, customerId: res.body.id as string };
}
const replyTasks = (t: TestApp, customerId: string) =>
  t.db.query(`SELECT assignee_id, due_at FROM task WHERE customer_id = $1 AND type = 'reply'`, [customerId]);
const timeline = (t: TestApp, customerId: string) =>
  t.db.query(`SELECT kind, direction, summary FROM interaction WHERE customer_id = $1`, [customerId]);

describe('replies through the SMPP peer', () => {
  let t: TestApp;
  let peer: SmppPeer;

  beforeAll(async () => {
    peer = await startSmppPeer();
    t = await startTestApp({ now: SATURDAY_4PM, env: { SMPP_URL: peer.url } });
    await peer.waitForBind(1);
  });
  afterAll(async () => {
    await t?.close();
    await peer?.close();
  });

  it('turns an incoming SMS into an interaction and a task; the SMSC delivering it again changes nothing', async () => {
    const { sales, customerId } = await setUp(t, '+85512777001');
    expect(await peer.incoming('+85512777001', 'បាទ ខ្ញុំនឹងមកថ្ងៃច័ន្ទ')).toEqual([0]);
    expect(await timeline(t, customerId)).toEqual([
      { kind: 'sms', direction: 'inbound', summary: 'បាទ ខ្ញុំនឹងមកថ្ងៃច័ន្ទ' },
    ]);
    const tasks = await replyTasks(t, customerId);
    expect(tasks).toEqual([{ assignee_id: sales.id, due_at: new Date(MONDAY_11AM) }]);
    expect(await peer.incoming('+85512777001', 'បាទ ខ្ញុំនឹងមកថ្ងៃច័ន្ទ')).toEqual([0]);
    expect(await replyTasks(t, customerId)).toHaveLength(1);
    expect(await timeline(t, customerId)).toHaveLength(1);
  });

  it('withdraws SMS consent on ឈប់ and raises no task', async () => {
    const { customerId } = await setUp(t, '+85512777002');
    expect(await peer.incoming('+85512777002', 'ឈប់')).toEqual([0]);
    const sms: { granted: boolean }[] = await t.db.query(
      `SELECT granted FROM consent WHERE customer_id = $1 AND channel = 'sms' AND source = 'sms_stop'`,
      [customerId],
    );
    expect(sms).toHaveLength(4);
    expect(sms.every((c) => !c.granted)).toBe(true);
    expect(await replyTasks(t, customerId)).toEqual([]);
  });
});

describe('replies through the Telegram webhook', () => {
  const TOKEN = '123456789:REPLIES-token_abcdefghijklmnopqrstu';
  const api = new TelegramBotApi(TOKEN);
  let t: TestApp;
  let appUrl: string;

  beforeAll(async () => {
    await api.start();
    t = await startTestApp({
      now: SATURDAY_4PM,
      env: {
        TELEGRAM_BOT_TOKEN: TOKEN,
        TELEGRAM_API_URL: api.url,
        TELEGRAM_WEBHOOK_SECRET: 'replies-secret-0123456789abcdef',
        TELEGRAM_UPDATES: 'webhook',
      },
    });
    await t.app.get(TelegramWebhookSetup).done;
    await t.app.listen(0, '127.0.0.1');
    appUrl = `http://127.0.0.1:${(t.app.getHttpServer().address() as AddressInfo).port}/api/v1/telegram/webhook`;
  });
  afterAll(async () => {
    await t?.close();
    await api.close();
  });

  it('turns a message in a linked chat into an interaction and a task, once even when Telegram repeats the update', async () => {
    const { sales, customerId } = await setUp(t, null);
    await t.db.query(
      `UPDATE customer SET telegram_chat_id = 990001, telegram_linked_at = now() WHERE id = $1`,
      [customerId],
    );
    const update = api.textUpdate(990001, 'Can I move my appointment to Tuesday?');
    expect((await api.postToWebhook(update, { url: appUrl })).status).toBeLessThan(300);
    expect((await api.postToWebhook(update, { url: appUrl })).status).toBeLessThan(300);
    expect(await timeline(t, customerId)).toEqual([
      { kind: 'telegram', direction: 'inbound', summary: 'Can I move my appointment to Tuesday?' },
    ]);
    expect(await replyTasks(t, customerId)).toEqual([
      { assignee_id: sales.id, due_at: new Date(MONDAY_11AM) },
    ]);
  });

  it('keeps a message from a chat no customer linked, unmatched', async () => {
    const update = api.textUpdate(990099, 'Who are you?');
    expect((await api.postToWebhook(update, { url: appUrl })).status).toBeLessThan(300);
    const rows = await t.db.query(
      `SELECT channel, sender, customer_id FROM inbound_message WHERE provider_ref = $1`,
      [String(update.update_id)],
    );
    expect(rows).toEqual([{ channel: 'telegram', sender: '990099', customer_id: null }]);
  });
});
