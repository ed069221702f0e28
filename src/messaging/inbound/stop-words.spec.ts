import { isStopRequest } from './stop-words';

describe('isStopRequest (SMS STOP words)', () => {
  it.each([
    'STOP',
    'stop',
    '  Stop  ',
    'STOP ALL',
    'stop  all',
    'Unsubscribe',
    'STOP.',
    'ឈប់',
    ' ឈប់\u200b ',
    'ឈប់។',
    'ຢຸດ',
  ])('withdraws on %j', (text) => expect(isStopRequest(text)).toBe(true));

  it.each(['Stop by tomorrow?', 'please stop', 'STOPPED', 'ok', '', 'ឈប់ផ្ញើ សួស្តី', 'ຢຸດກ່ອນ ຂອບໃຈ'])(
    'treats %j as a reply',
    (text) => expect(isStopRequest(text)).toBe(false),
  );
});
