import { createHash } from 'node:crypto';
import { encodings } from 'smpp';
import type { SendResult } from '../channel-driver';
import type { SmsSplit } from './sms-text';

/** submit_sm's esm_class with the UDH indicator: the short_message starts with a user data header. */
export const ESM_CLASS_UDHI = 0x40;
/** registered_delivery 1: a receipt for the final outcome, delivered or not. */
export const REGISTERED_DELIVERY_FINAL = 1;
/** SMPP 3.4 in bind's interface_version. */
export const SMPP_VERSION_34 = 0x34;

export const ESME_RTHROTTLED = 0x58;

/**
 * command_status values that say the destination itself cannot take the message: invalid destination address,
 * its TON or NPI, and the SMSC's permanent application error (barred or unknown subscriber). Only these are
 * permanent (the phone is marked undeliverable and the message falls back): a bad sender id, message length or
 * system error would fail for every customer, so they stay temporary (retried, then failed after 48 h) rather
 * than mark every phone.
 */
const PERMANENT_STATUSES = new Set([0x0b, 0x50, 0x51, 0x65]);

/** One submit_sm of a message: its fields (as the smpp package names them). */
export type SubmitFields = Record<string, unknown>;

/** Source address type of number / numbering plan for the sender id: international, number, or alphanumeric. */
export function sourceAddress(sender: string): SubmitFields {
  if (sender.startsWith('+')) return { source_addr: sender.slice(1), source_addr_ton: 1, source_addr_npi: 1 };
  if (/^\d+$/.test(sender)) return { source_addr: sender, source_addr_ton: 0, source_addr_npi: 1 };
  return { source_addr: sender, source_addr_ton: 5, source_addr_npi: 0 };
}

/**
 * The concatenation reference of a message: derived from the outbox id, so a retry sends its parts with the same
 * reference and a handset that already holds one of them can drop the copy rather than show it twice.
 */
export function concatReference(outboxId: string): number {
  return createHash('sha256').update(outboxId).digest()[0];
}

/** The octets of one part: GSM-7 one septet per octet (unpacked, as SMPP carries data_coding 0), or UCS-2 BE. */
export function encodePart(text: string, split: SmsSplit): Buffer {
  return split.encoding === 'gsm7' ? encodings.ASCII.encode(text) : encodings.UCS2.encode(text);
}

/**
 * The submit_sm fields of each part: E.164 destination (TON international, NPI ISDN), data_coding 0 or 8,
 * a receipt requested, and for a long text a UDH `05 00 03 ref total seq` with esm_class 0x40.
 */
export function submitsFor(outboxId: string, to: string, sender: string, split: SmsSplit): SubmitFields[] {
  const base: SubmitFields = {
    ...sourceAddress(sender),
    destination_addr: to.replace(/^\+/, ''),
    dest_addr_ton: 1,
    dest_addr_npi: 1,
    data_coding: split.dataCoding,
    registered_delivery: REGISTERED_DELIVERY_FINAL,
  };
  const total = split.parts.length;
  if (total === 1) return [{ ...base, esm_class: 0, short_message: encodePart(split.parts[0], split) }];
  const ref = concatReference(outboxId);
  return split.parts.map((text, i) => {
    const udh = Buffer.from([0x05, 0x00, 0x03, ref, total, i + 1]);
    return {
      ...base,
      esm_class: ESM_CLASS_UDHI,
      short_message: Buffer.concat([udh, encodePart(text, split)]),
    };
  });
}

/** What a non-zero submit_sm_resp status comes to. */
export function failureOf(status: number): Extract<SendResult, { ok: false }> {
  const error = `SMSC refused the message (command_status 0x${status.toString(16).padStart(8, '0')})`;
  const kind: 'permanent' | 'temporary' = PERMANENT_STATUSES.has(status) ? 'permanent' : 'temporary';
  return { ok: false, kind, smtpCode: status, error };
}
