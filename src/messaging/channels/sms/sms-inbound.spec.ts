import { encodings, PDU } from 'smpp';
import { parseDeliver, senderOf } from './sms-inbound';

/** A deliver_sm as it comes off the wire: encoded by the smpp package and decoded back. */
const wire = (fields: Record<string, unknown>) => new PDU(new PDU('deliver_sm', fields).toBuffer());

describe('deliver_sm parsing', () => {
  it('reads E.164 senders: TON international gets its +, a national number is read as Cambodian', () => {
    expect(senderOf(wire({ source_addr: '85512345678', source_addr_ton: 1 }))).toBe('+85512345678');
    expect(senderOf(wire({ source_addr: '012345678', source_addr_ton: 2 }))).toBe('+85512345678');
    expect(senderOf(wire({ source_addr: '+8562055551234' }))).toBe('+8562055551234');
    expect(senderOf(wire({ source_addr: 'Operator', source_addr_ton: 5 }))).toBe('Operator');
  });

  it('takes a receipt by its esm_class, the ref from the TLV before the text, and keeps no quoted text', () => {
    const text =
      'id:abc123 sub:001 dlvrd:000 submit date:2606150300 done date:2606150301 stat:UNDELIV err:034 text:Your car';
    expect(parseDeliver(wire({ esm_class: 0x04, short_message: Buffer.from(text) }))).toEqual({
      kind: 'receipt',
      ref: 'abc123',
      delivered: false,
      detail: 'UNDELIV err:034',
    });
    const tlv = wire({
      esm_class: 0x04,
      receipted_message_id: 'ff01',
      message_state: 2,
      short_message: Buffer.from('x'),
    });
    expect(parseDeliver(tlv)).toMatchObject({
      kind: 'receipt',
      ref: 'ff01',
      delivered: true,
      detail: 'DELIVRD',
    });
    expect(parseDeliver(wire({ esm_class: 0x20, short_message: Buffer.from(text) }))).toEqual({
      kind: 'interim',
    });
  });

  it('reads the concatenation of an incoming part from a 16-bit UDH reference or from the sar_* TLVs', () => {
    const udh16 = Buffer.from([0x06, 0x08, 0x04, 0x12, 0x34, 0x03, 0x02]);
    const part = wire({
      esm_class: 0x40,
      data_coding: 8,
      source_addr: '85512345678',
      source_addr_ton: 1,
      short_message: Buffer.concat([udh16, encodings.UCS2.encode('ឈប់')]),
    });
    expect(parseDeliver(part)).toMatchObject({
      kind: 'text',
      text: 'ឈប់',
      part: { ref: 0x1234, total: 3, seq: 2 },
    });
    const sar = wire({
      data_coding: 0,
      source_addr: '85512345678',
      source_addr_ton: 1,
      sar_msg_ref_num: 9,
      sar_total_segments: 2,
      sar_segment_seqnum: 1,
      short_message: encodings.ASCII.encode('Hello @ home'),
    });
    expect(parseDeliver(sar)).toMatchObject({
      kind: 'text',
      text: 'Hello @ home',
      part: { ref: 9, total: 2, seq: 1 },
    });
  });
});
