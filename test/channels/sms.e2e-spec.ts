import { randomUUID } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { DomainEvents, type DomainEventMap } from '../../src/common/domain-events';
import { loadConfig } from '../../src/config/app-config';
import type { SendResult } from '../../src/messaging/channels/channel-driver';
import { SmsDriver } from '../../src/messaging/channels/sms/sms.driver';
import { splitSms } from '../../src/messaging/channels/sms/sms-text';
import { startSmppPeer, type SmppPeer } from '../support/smpp-peer';
import { startTestApp, type TestApp } from '../support/test-app';

const T = '2026-06-15T03:00:00.000Z';
const KHMER =
  'សួស្តី! រថយន្តរបស់អ្នកដល់ពេលថែទាំហើយ។ សូមកក់ពេលវេលានៅមជ្ឈមណ្ឌលសេវាកម្មរបស់យើង តាមតំណនេះ៖ https://crm.test/b/x7';
const LAO = 'ສະບາຍດີ! ລົດຂອງທ່ານຮອດເວລາບຳລຸງຮັກສາແລ້ວ. ກະລຸນາຈອງເວລາທີ່ສູນບໍລິການຂອງພວກເຮົາ: https://crm.test/b/y8';
const LATIN = 'Your car is due for service. Book a bay: https://crm.test/b/z9 Reply STOP to opt out.';

let seq = 0;
/** A fresh phone per message, so that concatenation references never meet at the peer. */
const phone = () => `+8551290${String(++seq).padStart(4, '0')}`;
const outboxId = () => randomUUID();

describe('SMS over SMPP: the driver against a real SMPP peer', () => {
  let t: TestApp;
  let peer: SmppPeer;
  let driver: SmsDriver;

  beforeAll(async () => {
    t = await startTestApp({ now: T });
    peer = await startSmppPeer();
    const events = t.app.get(DomainEvents);
    const config = loadConfig({ DATA_DIR: t.dataDir, SMPP_URL: peer.url, SMS_SENDER: 'DealerCRM' });
    driver = new SmsDriver(config, t.db, events, t.clock);
    driver.throttle = { firstMs: 20, maxMs: 80, tries: 4 };
  });
  afterAll(async () => {
    await driver.onApplicationShutdown();
    await peer.close();
    await t.close();
  });

  const send = (text: string, to = phone(), beforeEnd?: () => Promise<void>, id = outboxId()) =>
    driver.send({ outboxId: id, to, text }, { beforeEnd });
  const messageTo = (to: string) => peer.messages().filter((m) => m.destination === to.slice(1));

  it('sends a Khmer text as UCS-2 (data_coding 8) in concatenated parts that put back together to the text', async () => {
    const to = phone();
    const result = await send(KHMER, to);
    const [message] = messageTo(to);
    expect(splitSms(KHMER).parts).toHaveLength(2);
    expect(message.parts).toHaveLength(2);
    expect(message.text).toBe(KHMER);
    const ref = message.parts[0].concat!.ref;
    message.parts.forEach((part, i) => {
      expect(part).toMatchObject({ dataCoding: 8, esmClass: 0x40, registeredDelivery: 1, destinationTon: 1 });
      expect(part.concat).toEqual({ ref, total: 2, seq: i + 1 });
      expect(part).toMatchObject({ source: 'DealerCRM', sourceTon: 5 });
    });
    expect(result).toEqual({
      ok: true,
      response: 'accepted 2 part(s)',
      providerRefs: message.parts.map((p) => p.messageId),
    });
  });

  it('sends a Lao text as UCS-2 with correct concatenation', async () => {
    const to = phone();
    const long = `${LAO} ${LAO}`;
    expect((await send(long, to)).ok).toBe(true);
    const [message] = messageTo(to);
    expect(message.parts.map((p) => [p.dataCoding, p.concat?.seq, p.concat?.total])).toEqual(
      splitSms(long).parts.map((_p, i, all) => [8, i + 1, all.length]),
    );
    expect(message.text).toBe(long);
  });

  it('sends plain Latin text as GSM-7 (data_coding 0), one part, extension characters included', async () => {
    const to = phone();
    const text = `${LATIN} Price [20€]`;
    expect((await send(text, to)).ok).toBe(true);
    const [message] = messageTo(to);
    expect(message.parts).toHaveLength(1);
    expect(message.parts[0]).toMatchObject({ dataCoding: 0, esmClass: 0, concat: null, text });
  });

  it('calls beforeEnd before the first submit_sm, and a rejected beforeEnd submits nothing', async () => {
    const before = peer.submits.length;
    let seen = -1;
    expect((await send(KHMER, phone(), async () => void (seen = peer.submits.length))).ok).toBe(true);
    expect(seen).toBe(before);
    const refused = await send(LATIN, phone(), () => Promise.reject(new Error('lease lost')));
    expect(refused).toMatchObject({ ok: false, kind: 'temporary' });
    expect(peer.submits).toHaveLength(before + 2);
  });

  it('refuses a destination permanently with its command_status', async () => {
    const to = phone();
    peer.refuseDestination(to);
    expect(await send(LATIN, to)).toMatchObject({ ok: false, kind: 'permanent', smtpCode: 0x0b });
    expect(messageTo(to)).toHaveLength(0);
  });

  it('backs off on ESME_RTHROTTLED and sends the message once throttling stops', async () => {
    const to = phone();
    const throttledBefore = peer.throttled;
    peer.throttleNext(2);
    expect((await send(KHMER, to)).ok).toBe(true);
    expect(peer.throttled - throttledBefore).toBe(2);
    expect(messageTo(to)).toHaveLength(1);
    expect(messageTo(to)[0].text).toBe(KHMER);
  });

  it('reports persistent throttling as temporary with a retry delay, after a bounded number of tries', async () => {
    const to = phone();
    const throttledBefore = peer.throttled;
    peer.throttleNext(100);
    const result = await send(LATIN, to);
    peer.throttleNext(0);
    expect(result).toMatchObject({ ok: false, kind: 'temporary', smtpCode: 0x58 });
    expect((result as Extract<SendResult, { ok: false }>).retryAfterMs).toBeGreaterThan(0);
    expect(peer.throttled - throttledBefore).toBe(4);
    expect(messageTo(to)).toHaveLength(0);
  });

  it('loses nothing and duplicates nothing when the bind drops between submits: it binds again', async () => {
    const phones = Array.from({ length: 6 }, () => phone());
    let binds = 0;
    const temporary: SendResult[] = [];
    for (const [i, to] of phones.entries()) {
      if (i === 3) {
        binds = peer.binds;
        peer.drop();
      }
      // As the dispatcher does: a temporary failure is tried again (a submit written to the dead socket
      // before its close was noticed never reached the SMSC).
      const [text, id] = [i % 2 ? KHMER : LATIN, outboxId()];
      for (
        let result = await send(text, to, undefined, id);
        !result.ok;
        result = await send(text, to, undefined, id)
      ) {
        temporary.push(result);
        expect(result).toMatchObject({ kind: 'temporary' });
      }
    }
    expect(temporary.length).toBeLessThanOrEqual(1);
    expect(peer.binds).toBe(binds + 1);
    for (const [i, to] of phones.entries()) {
      expect(messageTo(to).map((m) => m.text)).toEqual([i % 2 ? KHMER : LATIN]);
    }
  });

  it('answers temporary when the SMSC refuses the bind, and submits nothing', async () => {
    const url = peer.url.replace(':secret1@', ':wrong@');
    const refused = new SmsDriver(
      loadConfig({ DATA_DIR: t.dataDir, SMPP_URL: url }),
      t.db,
      t.app.get(DomainEvents),
      t.clock,
    );
    const before = peer.submits.length;
    try {
      const result = await refused.send({ outboxId: outboxId(), to: phone(), text: LATIN });
      expect(result).toMatchObject({
        ok: false,
        kind: 'temporary',
        error: 'SMPP bind refused (command_status 13)',
      });
      expect(JSON.stringify(result)).not.toContain('wrong');
      expect(peer.submits).toHaveLength(before);
    } finally {
      await refused.onApplicationShutdown();
    }
  });

  it('answers temporary when the bind drops with submits unanswered (the at-least-once duplicate case)', async () => {
    const phones = [phone(), phone(), phone()];
    const before = peer.submits.length;
    peer.swallowNext(3);
    const sending = phones.map((to) => send(LATIN, to));
    while (peer.submits.length < before + 3) await new Promise((r) => setTimeout(r, 10));
    peer.drop();
    const results = await Promise.all(sending);
    expect(results.map((r) => !r.ok && r.kind)).toEqual(['temporary', 'temporary', 'temporary']);
    // The SMSC took them but never said so: a retry (the dispatcher's) sends each a second time.
    const retried = await Promise.all(phones.map((to) => send(LATIN, to)));
    expect(retried.every((r) => r.ok)).toBe(true);
    for (const to of phones) expect(messageTo(to)).toHaveLength(2);
  });

  // Last of this block: the bind stays paused for a minute.
  it('pauses every submit of the bind while throttled: another send does not reach the SMSC meanwhile', async () => {
    const [throttledBefore, submitsBefore] = [peer.throttled, peer.submits.length];
    driver.throttle = { firstMs: 60_000, maxMs: 60_000, tries: 1 };
    try {
      peer.throttleNext(1);
      const first = await send(LATIN);
      const second = await send(LATIN);
      for (const result of [first, second]) {
        expect(result).toMatchObject({ ok: false, kind: 'temporary', smtpCode: 0x58 });
        expect((result as Extract<SendResult, { ok: false }>).retryAfterMs).toBeGreaterThan(0);
      }
      expect([peer.throttled - throttledBefore, peer.submits.length - submitsBefore]).toEqual([1, 0]);
    } finally {
      driver.throttle = { firstMs: 20, maxMs: 80, tries: 4 };
    }
  });
});

describe('SMS over SMPP: receipts and incoming texts from the SMSC', () => {
  let t: TestApp;
  let peer: SmppPeer;
  let driver: SmsDriver;
  const receipts: DomainEventMap['message.receipt'][] = [];
  const received: DomainEventMap['message.received'][] = [];
  let failListeners = false;

  beforeAll(async () => {
    t = await startTestApp({ now: T });
    peer = await startSmppPeer();
    const events = t.app.get(DomainEvents);
    events.on('message.receipt', async (m, e) => {
      if (failListeners) throw new Error('listener down');
      if (!m.queryRunner?.isTransactionActive) throw new Error('outside a transaction');
      receipts.push(e);
    });
    events.on('message.received', async (m, e) => {
      if (failListeners) throw new Error('listener down');
      if (!m.queryRunner?.isTransactionActive) throw new Error('outside a transaction');
      received.push(e);
    });
    driver = new SmsDriver(loadConfig({ DATA_DIR: t.dataDir, SMPP_URL: peer.url }), t.db, events, t.clock);
    // Bound at start, before anything is sent, so that receipts and replies arrive.
    driver.onApplicationBootstrap();
    await peer.waitForBind(1);
  });
  afterAll(async () => {
    await driver.onApplicationShutdown();
    await peer.close();
    await t.close();
  });

  beforeEach(() => {
    receipts.length = 0;
    received.length = 0;
    failListeners = false;
  });

  it('emits message.receipt for a delivered and an undeliverable receipt, by text or by TLV, at the clock', async () => {
    const result = await driver.send({ outboxId: randomUUID(), to: '+85512900900', text: KHMER });
    const [first, second] = (result as { providerRefs: string[] }).providerRefs;
    expect(await peer.receipt(first, 'DELIVRD')).toBe(0);
    expect(await peer.receipt(second, 'UNDELIV', { tlv: true, err: '001' })).toBe(0);
    expect(receipts).toEqual([
      { channel: 'sms', ref: first, delivered: true, at: new Date(T), detail: 'DELIVRD' },
      { channel: 'sms', ref: second, delivered: false, at: new Date(T), detail: 'UNDELIV err:001' },
    ]);
  });

  it('binds again by itself after a lost bind, so that receipts keep arriving with nothing to send', async () => {
    const binds = peer.binds;
    peer.drop();
    await peer.waitForBind(binds + 1);
    expect(await peer.receipt('c1', 'DELIVRD')).toBe(0);
    expect(receipts.map((r) => r.ref)).toEqual(['c1']);
  });

  it('treats EXPIRED and REJECTD as undelivered and emits nothing for a state that is not final', async () => {
    expect(await peer.receipt('a1', 'EXPIRED')).toBe(0);
    expect(await peer.receipt('a2', 'REJECTD', { tlv: true })).toBe(0);
    expect(await peer.receipt('a3', 'ACCEPTD')).toBe(0);
    expect(receipts.map((r) => [r.ref, r.delivered])).toEqual([
      ['a1', false],
      ['a2', false],
    ]);
  });

  it('answers deliver_sm_resp only after the transaction: a failing listener answers a temporary error', async () => {
    failListeners = true;
    expect(await peer.receipt('b1', 'DELIVRD')).toBe(0x64);
    expect(await peer.incoming('+85512345678', 'STOP')).toEqual([0x64]);
    failListeners = false;
    // The SMSC delivers them again; now they are recorded.
    expect(await peer.receipt('b1', 'DELIVRD')).toBe(0);
    expect(await peer.incoming('+85512345678', 'STOP')).toEqual([0]);
    expect(receipts.map((r) => r.ref)).toEqual(['b1']);
    expect(received.map((r) => r.text)).toEqual(['STOP']);
  });

  it('emits message.received for an incoming text with the E.164 sender, decoding GSM-7 and UCS-2', async () => {
    await peer.incoming('+85512345678', 'Stop please @ 5€');
    await peer.incoming('+8562055551234', 'ຢຸດ');
    await peer.incoming('+85512345679', 'ឈប់');
    expect(received.map(({ sender, text }) => ({ sender, text }))).toEqual([
      { sender: '+85512345678', text: 'Stop please @ 5€' },
      { sender: '+8562055551234', text: 'ຢຸດ' },
      { sender: '+85512345679', text: 'ឈប់' },
    ]);
    expect(received.every((r) => r.channel === 'sms' && r.receivedAt.toISOString() === T)).toBe(true);
    expect(new Set(received.map((r) => r.providerRef)).size).toBe(3);
  });

  it('puts a concatenated incoming text back together into one message', async () => {
    expect(await peer.incoming('+85512345670', KHMER, { ref: 42 })).toEqual([0, 0]);
    expect(received).toHaveLength(1);
    expect(received[0]).toMatchObject({ sender: '+85512345670', text: KHMER });
  });

  it('gives a redelivered text the same providerRef and a new text a new one', async () => {
    await peer.incoming('+85512345671', 'Yes, Saturday morning');
    await peer.incoming('+85512345671', 'Yes, Saturday morning');
    await peer.incoming('+85512345671', 'Can I come at 9?');
    t.clock.advance(24 * 3600_000);
    await peer.incoming('+85512345671', 'Yes, Saturday morning');
    const refs = received.map((r) => r.providerRef);
    expect(refs[1]).toBe(refs[0]);
    expect(new Set(refs).size).toBe(3);
  });
});

describe('SMS without SMPP_URL: files', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await startTestApp({ now: T });
  });
  afterAll(() => t.close());

  it('writes <DATA_DIR>/sms/<outboxId>.json whole, after beforeEnd', async () => {
    const driver = new SmsDriver(t.config, t.db, t.app.get(DomainEvents), t.clock);
    const id = randomUUID();
    const file = path.join(t.dataDir, 'sms', `${id}.json`);
    let existedBeforeEnd: boolean | null = null;
    const result = await driver.send(
      { outboxId: id, to: '+85512345678', text: KHMER },
      { beforeEnd: async () => void (existedBeforeEnd = fs.existsSync(file)) },
    );
    expect(result).toMatchObject({ ok: true, providerRefs: [`file:${id}`] });
    expect(existedBeforeEnd).toBe(false);
    expect(JSON.parse(fs.readFileSync(file, 'utf8'))).toEqual({
      to: '+85512345678',
      from: 'DealerCRM',
      text: KHMER,
      encoding: 'ucs2',
      dataCoding: 8,
      parts: splitSms(KHMER).parts,
    });
    expect(fs.readdirSync(path.dirname(file))).toEqual([`${id}.json`]);
  });

  it('refuses an SMPP_URL without credentials or of another scheme at start, without echoing it', () => {
    for (const bad of [
      'smpp://host:2775',
      'http://crm:pw-s3cret@host:2775',
      'smpp://crm@host',
      'smpp://:pw-s3cret@h',
    ]) {
      expect(() => loadConfig({ SMPP_URL: bad })).toThrow(
        /SMPP_URL must look like smpp:\/\/system_id:password@host:port/,
      );
      expect(() => loadConfig({ SMPP_URL: bad })).not.toThrow(/s3cret/);
    }
    expect(loadConfig({ SMPP_URL: 'smpp://crm:pw%40x@smsc.example.com:2775' }).SMPP_URL).toBeDefined();
    expect(() => loadConfig({ SMS_SENDER: 'A sender id far too long' })).toThrow(/SMS_SENDER/);
    expect(loadConfig({}).SMS_SENDER).toBe('DealerCRM');
  });

  it('writes nothing when beforeEnd rejects', async () => {
    const driver = new SmsDriver(t.config, t.db, t.app.get(DomainEvents), t.clock);
    const id = randomUUID();
    const result = await driver.send(
      { outboxId: id, to: '+85512345678', text: LATIN },
      { beforeEnd: () => Promise.reject(new Error('lease lost')) },
    );
    expect(result).toMatchObject({ ok: false, kind: 'temporary' });
    expect(fs.existsSync(path.join(t.dataDir, 'sms', `${id}.json`))).toBe(false);
  });
});
