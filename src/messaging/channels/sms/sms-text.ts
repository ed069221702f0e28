/**
 * SMS text arithmetic (3GPP TS 23.038 / 23.040), pure: which alphabet a text needs and how it splits into
 * parts. GSM-7 when every character is in the default alphabet or its extension table (an extension character
 * takes two septets); UCS-2 otherwise (Khmer, Lao). One part holds 160 septets or 70 UCS-2 units; a longer
 * text is sent as concatenated parts of 153 septets or 67 units (the 6-byte UDH takes the rest). A part never
 * splits an escape sequence or a surrogate pair.
 */
const GSM7_BASIC =
  '@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞ\x1bÆæßÉ !"#¤%&\'()*+,-./0123456789:;<=>?' +
  '¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà';
const GSM7_EXTENDED = '\f^{}\\[~]|€';

const BASIC = new Set([...GSM7_BASIC].filter((c) => c !== '\x1b'));
const EXTENDED = new Set([...GSM7_EXTENDED]);

export type SmsEncoding = 'gsm7' | 'ucs2';

export interface SmsSplit {
  encoding: SmsEncoding;
  /** data_coding of submit_sm: 0 (SMSC default alphabet, GSM-7) or 8 (UCS-2). */
  dataCoding: 0 | 8;
  /** The text of each part, in order. */
  parts: string[];
}

/** Whether the text can go as GSM-7. */
export function isGsm7(text: string): boolean {
  for (const c of text) if (!BASIC.has(c) && !EXTENDED.has(c)) return false;
  return true;
}

/** Septets (GSM-7) or UTF-16 units (UCS-2) of one character. */
function cost(c: string, encoding: SmsEncoding): number {
  if (encoding === 'ucs2') return c.length;
  return EXTENDED.has(c) ? 2 : 1;
}

/** The text's alphabet and its parts. An empty text is one empty part. */
export function splitSms(text: string): SmsSplit {
  const encoding: SmsEncoding = isGsm7(text) ? 'gsm7' : 'ucs2';
  const single = encoding === 'gsm7' ? 160 : 70;
  const multi = encoding === 'gsm7' ? 153 : 67;
  const chars = [...text];
  const total = chars.reduce((n, c) => n + cost(c, encoding), 0);
  const dataCoding = encoding === 'gsm7' ? 0 : 8;
  if (total <= single) return { encoding, dataCoding, parts: [text] };
  const parts: string[] = [];
  let current = '';
  let used = 0;
  for (const c of chars) {
    const n = cost(c, encoding);
    if (used + n > multi) {
      parts.push(current);
      current = '';
      used = 0;
    }
    current += c;
    used += n;
  }
  if (current) parts.push(current);
  return { encoding, dataCoding, parts };
}

/** How many SMS parts the text takes. */
export function smsPartCount(text: string): number {
  return splitSms(text).parts.length;
}
