import { isGsm7, smsPartCount, splitSms } from './sms-text';

describe('sms-text', () => {
  it('plain Latin is GSM-7: 160 in one part, then parts of 153', () => {
    expect(isGsm7('Hello {Sok}, 10% off €5')).toBe(true);
    expect(smsPartCount('a'.repeat(160))).toBe(1);
    expect(smsPartCount('a'.repeat(161))).toBe(2);
    expect(splitSms('a'.repeat(306)).parts.map((p) => p.length)).toEqual([153, 153]);
    expect(smsPartCount('a'.repeat(307))).toBe(3);
  });

  it('an extension character takes two septets and is never split from its escape', () => {
    expect(smsPartCount('€'.repeat(80))).toBe(1);
    expect(smsPartCount('€'.repeat(81))).toBe(2);
    const split = splitSms('a' + '€'.repeat(80));
    expect(split.parts[0]).toBe('a' + '€'.repeat(76)); // 1 + 152 septets; the next € would make 155
  });

  it('Khmer and Lao are UCS-2: 70 units in one part, then parts of 67', () => {
    const khmer = 'សួស្តី';
    expect(isGsm7(khmer)).toBe(false);
    const s = splitSms('ក'.repeat(70));
    expect(s).toMatchObject({ encoding: 'ucs2', dataCoding: 8, parts: ['ក'.repeat(70)] });
    expect(splitSms('ສ'.repeat(71)).parts.map((p) => p.length)).toEqual([67, 4]);
  });

  it('a surrogate pair is never split', () => {
    const text = 'a'.repeat(66) + '😀' + 'bbb';
    const parts = splitSms(text).parts;
    expect(parts[0]).toBe('a'.repeat(66));
    expect(parts[1]).toBe('😀bbb');
  });
});
