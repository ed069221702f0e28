import type { AddressInfo } from 'node:net';
import { createServer, encodings, type PDU, type Session } from 'smpp';
import { splitSms } from '../../src/messaging/channels/sms/sms-text';

const ESME_RINVDSTADR = 0x0b;
const ESME_RBINDFAIL = 0x0d;
const ESME_RTHROTTLED = 0x58;

/** One submit_sm the peer accepted: its fields decoded back (text per part), and the id it answered. */
export interface PeerSubmit {
  messageId: string;
  destination: string;
  destinationTon: number;
  source: string;
  sourceTon: number;
  dataCoding: number;
  esmClass: number;
  registeredDelivery: number;
  /** From the UDH `05 00 03 ref total seq` (null for a single part). */
  concat: { ref: number; total: number; seq: number } | null;
  text: string;
}

/** A whole message as a handset would show it: its parts put back together by UDH reference and sequence. */
export interface PeerMessage {
  destination: string;
  dataCoding: number;
  parts: PeerSubmit[];
  text: string;
}

/**
 * A real SMPP server for tests (the smpp package's server side): checks the bind's credentials, records every
 * submit_sm and answers it with a message id, and can throttle, refuse a destination, drop the connection, leave
 * submits unanswered, and send delivery receipts and incoming texts to the bound session.
 */
export interface SmppPeer {
  url: string;
  /** Accepted submits, in arrival order (a submit left unanswered counts: the SMSC took it). */
  submits: PeerSubmit[];
  /** Successful binds so far. */
  binds: number;
  /** Submits answered ESME_RTHROTTLED so far. */
  throttled: number;
  throttleNext(n: number): void;
  refuseDestination(destination: string): void;
  /** The next n submits are taken but never answered (the outcome the client cannot know). */
  swallowNext(n: number): void;
  /** Destroys every connection at once (a lost bind). */
  drop(): void;
  /** Waits until a session is bound (again). */
  waitForBind(count?: number): Promise<void>;
  /** Reassembled messages, in order of their first part. */
  messages(): PeerMessage[];
  /** A delivery receipt for a message id; resolves with the client's deliver_sm_resp status. */
  receipt(messageId: string, stat: string, options?: { tlv?: boolean; err?: string }): Promise<number>;
  /** A text from a phone (international digits without +); several parts when long; resolves with each status. */
  incoming(from: string, text: string, options?: { ref?: number }): Promise<number[]>;
  close(): Promise<void>;
}

export async function startSmppPeer(
  credentials = { systemId: 'crm', password: 'secret1' },
): Promise<SmppPeer> {
  let nextId = 0x5000;
  let throttle = 0;
  let swallow = 0;
  const refused = new Set<string>();
  const bound: Session[] = [];
  const bindWaiters: (() => void)[] = [];

  const server = createServer((session: Session) => {
    session.on('error', () => undefined);
    session.on('bind_transceiver', (pdu: PDU) => {
      if (pdu.system_id !== credentials.systemId || pdu.password !== credentials.password) {
        session.send(pdu.response({ command_status: ESME_RBINDFAIL }));
        session.close();
        return;
      }
      session.send(pdu.response({ system_id: 'peer' }));
      bound.push(session);
      peer.binds += 1;
      bindWaiters.splice(0).forEach((wake) => wake());
      session.socket.on('close', () => bound.splice(bound.indexOf(session), 1));
    });
    session.on('enquire_link', (pdu: PDU) => session.send(pdu.response()));
    session.on('unbind', (pdu: PDU) => {
      session.send(pdu.response());
      session.close();
    });
    session.on('submit_sm', (pdu: PDU) => {
      if (throttle > 0) {
        throttle -= 1;
        peer.throttled += 1;
        session.send(pdu.response({ command_status: ESME_RTHROTTLED }));
        return;
      }
      if (refused.has(pdu.destination_addr)) {
        session.send(pdu.response({ command_status: ESME_RINVDSTADR }));
        return;
      }
      const messageId = (nextId++).toString(16);
      peer.submits.push(decodeSubmit(pdu, messageId));
      if (swallow > 0) {
        swallow -= 1;
        return;
      }
      session.send(pdu.response({ message_id: messageId }));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;

  const session = (): Session => {
    const s = bound[bound.length - 1];
    if (!s) throw new Error('no bound session');
    return s;
  };
  const deliver = (fields: Record<string, unknown>) =>
    new Promise<number>((resolve) => session().deliver_sm(fields, (r: PDU) => resolve(r.command_status)));

  const peer: SmppPeer = {
    url: `smpp://${credentials.systemId}:${credentials.password}@127.0.0.1:${port}`,
    submits: [],
    binds: 0,
    throttled: 0,
    throttleNext: (n) => (throttle = n),
    refuseDestination: (destination) => refused.add(destination.replace(/^\+/, '')),
    swallowNext: (n) => (swallow = n),
    drop: () => bound.slice().forEach((s) => s.destroy()),
    waitForBind: (count = peer.binds + 1) =>
      new Promise<void>((resolve) => {
        const check = () => (peer.binds >= count && bound.length > 0 ? resolve() : bindWaiters.push(check));
        check();
      }),
    messages: () => reassemble(peer.submits),
    receipt: (messageId, stat, options = {}) => {
      const text =
        `id:${messageId} sub:001 dlvrd:${stat === 'DELIVRD' ? '001' : '000'} submit date:2606150300 ` +
        `done date:2606150301 stat:${stat} err:${options.err ?? '000'} text:`;
      return deliver({
        source_addr: '85512345678',
        source_addr_ton: 1,
        destination_addr: 'DealerCRM',
        esm_class: 0x04,
        short_message: Buffer.from(text, 'ascii'),
        ...(options.tlv ? { receipted_message_id: messageId, message_state: STATE[stat] } : {}),
      });
    },
    incoming: async (from, text, options = {}) => {
      const split = splitSms(text);
      const ref = options.ref ?? 7;
      const statuses: number[] = [];
      for (const [i, part] of split.parts.entries()) {
        const body = split.encoding === 'gsm7' ? encodings.ASCII.encode(part) : encodings.UCS2.encode(part);
        const udh = Buffer.from([0x05, 0x00, 0x03, ref, split.parts.length, i + 1]);
        statuses.push(
          await deliver({
            source_addr: from.replace(/^\+/, ''),
            source_addr_ton: 1,
            source_addr_npi: 1,
            destination_addr: 'DealerCRM',
            data_coding: split.dataCoding,
            esm_class: split.parts.length > 1 ? 0x40 : 0,
            short_message: split.parts.length > 1 ? Buffer.concat([udh, body]) : body,
          }),
        );
      }
      return statuses;
    },
    close: () =>
      new Promise<void>((resolve) => {
        bound.slice().forEach((s) => s.destroy());
        server.close(() => resolve());
      }),
  };
  return peer;
}

const STATE: Record<string, number> = {
  DELIVRD: 2,
  EXPIRED: 3,
  DELETED: 4,
  UNDELIV: 5,
  ACCEPTD: 6,
  REJECTD: 8,
};

function decodeSubmit(pdu: PDU, messageId: string): PeerSubmit {
  const message = pdu.short_message as { udh?: Buffer[]; message: string | Buffer };
  const concatElement = (message.udh ?? []).find((e) => e[0] === 0x00);
  return {
    messageId,
    destination: pdu.destination_addr,
    destinationTon: pdu.dest_addr_ton,
    source: pdu.source_addr,
    sourceTon: pdu.source_addr_ton,
    dataCoding: pdu.data_coding,
    esmClass: pdu.esm_class,
    registeredDelivery: pdu.registered_delivery,
    concat: concatElement ? { ref: concatElement[2], total: concatElement[3], seq: concatElement[4] } : null,
    text: typeof message.message === 'string' ? message.message : message.message.toString('latin1'),
  };
}

function reassemble(submits: PeerSubmit[]): PeerMessage[] {
  const messages = new Map<string, PeerSubmit[]>();
  for (const s of submits) {
    const key = s.concat ? `${s.destination}|${s.concat.ref}|${s.concat.total}` : `single|${s.messageId}`;
    messages.set(key, [...(messages.get(key) ?? []), s]);
  }
  return [...messages.values()].map((parts) => {
    const ordered = [...parts].sort((a, b) => (a.concat?.seq ?? 0) - (b.concat?.seq ?? 0));
    return {
      destination: parts[0].destination,
      dataCoding: parts[0].dataCoding,
      parts: ordered,
      text: ordered.map((p) => p.text).join(''),
    };
  });
}
