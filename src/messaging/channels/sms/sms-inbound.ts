import { Logger } from '@nestjs/common';
import { createHash } from 'node:crypto';
import type { PDU } from 'smpp';
import { DataSource } from 'typeorm';
import { Clock } from '../../../common/clock';
import { DomainEvents } from '../../../common/domain-events';
import { normalisePhone } from '../../../customers/customer-rules';

/** esm_class message type bits (SMPP 3.4 §5.2.12): a delivery receipt, an intermediate notification. */
const ESM_TYPE_MASK = 0x3c;
const ESM_DELIVERY_RECEIPT = 0x04;
const ESM_INTERMEDIATE = 0x20;
const ESM_UDHI = 0x40;

/** Final receipt states (the `stat:` word of the receipt text, or the message_state TLV) and what they mean. */
const FINAL_STATES: Record<string, boolean> = {
  DELIVRD: true,
  UNDELIV: false,
  EXPIRED: false,
  REJECTD: false,
  DELETED: false,
};
const STATE_NAMES: Record<number, string> = {
  1: 'ENROUTE',
  2: 'DELIVRD',
  3: 'EXPIRED',
  4: 'DELETED',
  5: 'UNDELIV',
  6: 'ACCEPTD',
  7: 'UNKNOWN',
  8: 'REJECTD',
};

/** An incoming text is the same message (a redelivery) when it comes again within this window. */
const REDELIVERY_WINDOW_MS = 10 * 60_000;
/** Parts of a concatenated incoming text wait this long for the rest. */
const PARTS_KEPT_MS = 60 * 60_000;

export type Delivered =
  | { kind: 'receipt'; ref: string; delivered: boolean; detail: string }
  | { kind: 'interim' }
  | { kind: 'text'; sender: string; text: string; part: Concatenation | null; digest: string };

export interface Concatenation {
  ref: number;
  total: number;
  seq: number;
}

/** The short message as the smpp package decodes it: the text (or octets it could not decode) and UDH elements. */
function messageOf(pdu: PDU): { text: string; udh: Buffer[] } {
  const field = (pdu.short_message?.message?.length ? pdu.short_message : pdu.message_payload) as
    { message?: string | Buffer; udh?: Buffer[] } | undefined;
  const message = field?.message ?? '';
  return { text: typeof message === 'string' ? message : message.toString('latin1'), udh: field?.udh ?? [] };
}

/** Concatenation from the UDH (IEI 00: 8-bit reference, IEI 08: 16-bit) or from the sar_* TLVs. */
function concatenationOf(udh: Buffer[], pdu: PDU): Concatenation | null {
  for (const element of udh) {
    if (element[0] === 0x00 && element.length >= 5)
      return { ref: element[2], total: element[3], seq: element[4] };
    if (element[0] === 0x08 && element.length >= 6) {
      return { ref: element.readUInt16BE(2), total: element[4], seq: element[5] };
    }
  }
  if (pdu.sar_total_segments > 1) {
    return { ref: pdu.sar_msg_ref_num, total: pdu.sar_total_segments, seq: pdu.sar_segment_seqnum };
  }
  return null;
}

/** A source address as E.164: TON international gets its `+`; a national number is read as Cambodian. */
export function senderOf(pdu: PDU): string {
  const raw = String(pdu.source_addr ?? '').trim();
  if (pdu.source_addr_ton === 1 && /^\d+$/.test(raw)) return `+${raw}`;
  return normalisePhone(raw) ?? raw;
}

/** What a deliver_sm is: a delivery receipt, an intermediate notification, or a customer's text. */
export function parseDeliver(pdu: PDU): Delivered {
  const type = (pdu.esm_class ?? 0) & ESM_TYPE_MASK;
  const { text, udh } = messageOf(pdu);
  if (type === ESM_DELIVERY_RECEIPT || type === ESM_INTERMEDIATE) {
    const ref = pdu.receipted_message_id || /\bid:(\S+)/i.exec(text)?.[1];
    const stat = STATE_NAMES[pdu.message_state as number] ?? /\bstat:(\w+)/i.exec(text)?.[1]?.toUpperCase();
    if (type === ESM_INTERMEDIATE || !ref || !stat || !(stat in FINAL_STATES)) return { kind: 'interim' };
    const err = /\berr:(\w+)/i.exec(text)?.[1]?.replace(/^0+$/, '');
    // Only the state and the error code: the receipt's `text:` field quotes the customer's message.
    return { kind: 'receipt', ref, delivered: FINAL_STATES[stat], detail: err ? `${stat} err:${err}` : stat };
  }
  const concatenated = ((pdu.esm_class ?? 0) & ESM_UDHI) !== 0 || pdu.sar_total_segments > 1;
  const part = concatenated ? concatenationOf(udh, pdu) : null;
  const digest = createHash('sha256')
    .update(
      JSON.stringify([pdu.source_addr, pdu.destination_addr, pdu.data_coding, part, text, udh.map(String)]),
    )
    .digest('hex')
    .slice(0, 32);
  return { kind: 'text', sender: senderOf(pdu), text, part, digest };
}

interface PartialText {
  parts: (string | undefined)[];
  digests: (string | undefined)[];
  firstAt: number;
}

/**
 * Delivery receipts and incoming texts from the SMSC, each turned into its domain event in a transaction; the
 * caller answers deliver_sm_resp only after this settles (an error answers a temporary failure, so the SMSC
 * delivers it again: at least once). The listeners are idempotent: receipts per (channel, ref), replies per
 * (channel, providerRef).
 *
 * providerRef of an incoming text: SMPP 3.4 gives an incoming text no id of its own, so the ref is a digest of
 * what the SMSC sent (sender, our number, data_coding, concatenation, text) and the 10-minute window it arrived
 * in. A redelivery within the window (deliver_sm_resp lost, a crash after the commit) has the same ref and is
 * dropped by the listener; the same words sent again later are a new message. Two identical texts from one
 * phone in the same window count once; a redelivery straddling a window boundary counts twice.
 *
 * Concatenated texts are put back together in memory (parts are answered as they come): a restart between the
 * parts loses the earlier ones, and the text then arrives incomplete or not at all.
 */
export class SmsInbound {
  private readonly logger = new Logger('SmsInbound');
  private readonly partial = new Map<string, PartialText>();

  constructor(
    private readonly db: DataSource,
    private readonly events: DomainEvents,
    private readonly clock: Clock,
  ) {}

  /** Handles one deliver_sm; the command_status to answer. */
  async handle(pdu: PDU): Promise<number> {
    const delivered = parseDeliver(pdu);
    const at = this.clock.now();
    switch (delivered.kind) {
      case 'interim':
        return 0;
      case 'receipt':
        await this.db.transaction((m) =>
          this.events.emit(m, 'message.receipt', {
            channel: 'sms',
            ref: delivered.ref,
            delivered: delivered.delivered,
            at,
            detail: delivered.detail,
          }),
        );
        return 0;
      case 'text':
        await this.received(delivered, at);
        return 0;
    }
  }

  private async received(text: Extract<Delivered, { kind: 'text' }>, at: Date): Promise<void> {
    let whole = text.text;
    let digest = text.digest;
    let key: string | null = null;
    if (text.part && text.part.total > 1) {
      this.forgetStale(at.getTime());
      key = `${text.sender}|${text.part.ref}|${text.part.total}`;
      const entry = this.partial.get(key) ?? {
        parts: new Array<string | undefined>(text.part.total),
        digests: new Array<string | undefined>(text.part.total),
        firstAt: at.getTime(),
      };
      entry.parts[text.part.seq - 1] = text.text;
      entry.digests[text.part.seq - 1] = text.digest;
      this.partial.set(key, entry);
      if (entry.parts.filter((p) => p !== undefined).length < text.part.total) return;
      whole = entry.parts.join('');
      digest = createHash('sha256').update(entry.digests.join()).digest('hex').slice(0, 32);
    }
    const window = Math.floor(at.getTime() / REDELIVERY_WINDOW_MS);
    await this.db.transaction((m) =>
      this.events.emit(m, 'message.received', {
        channel: 'sms',
        providerRef: `mo:${digest}:${window}`,
        sender: text.sender,
        text: whole,
        receivedAt: at,
      }),
    );
    if (key) this.partial.delete(key);
    this.logger.debug({ msg: 'incoming SMS recorded' });
  }

  private forgetStale(now: number): void {
    for (const [key, entry] of this.partial) {
      if (now - entry.firstAt > PARTS_KEPT_MS) this.partial.delete(key);
    }
  }
}
