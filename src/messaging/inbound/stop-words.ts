/**
 * SMS STOP words (SPEC "Channels": STOP and its Khmer and Lao equivalents withdraw SMS consent). The whole
 * text must be the word: "stop by tomorrow?" is a reply, not a withdrawal. Case, surrounding spaces, a full
 * stop or exclamation mark and the zero-width spaces Khmer keyboards insert do not matter.
 */
const STOP_WORDS = new Set(['STOP', 'STOP ALL', 'STOPALL', 'UNSUBSCRIBE', 'ឈប់', 'ຢຸດ']);

export function isStopRequest(text: string): boolean {
  const normalised = text
    .normalize('NFC')
    .replace(/[\u200b-\u200d\u2060\ufeff]/g, '')
    .trim()
    .replace(/[.!។៕]+$/u, '')
    .replace(/\s+/g, ' ')
    .trim()
    .toUpperCase();
  return STOP_WORDS.has(normalised);
}
