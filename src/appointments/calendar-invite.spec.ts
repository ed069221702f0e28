import { buildInvite } from './calendar-invite';

const base = {
  appointmentId: '6f1c2a8e-3b7d-4e21-9c55-0a1b2c3d4e5f',
  start: new Date('2026-06-16T02:00:00Z'),
  end: new Date('2026-06-16T02:30:00Z'),
  title: 'Service appointment',
  location: 'Phnom Penh Motors',
  description: 'Oil change',
  organizer: { name: 'Phnom Penh Motors', email: 'service@pp.example' },
};

const field = (ics: string, name: string) =>
  new RegExp(`^${name}[:;](.*)$`, 'm').exec(ics.replace(/\r\n /g, ''))?.[1];

describe('calendar invite', () => {
  it('keeps one UID per appointment across updates, raises SEQUENCE, and cancels with METHOD:CANCEL', () => {
    const first = buildInvite({ ...base, sequence: 0, method: 'REQUEST' }, 'crm.test');
    const moved = buildInvite(
      {
        ...base,
        sequence: 1,
        method: 'REQUEST',
        start: new Date('2026-06-17T02:00:00Z'),
        end: new Date('2026-06-17T02:30:00Z'),
      },
      'crm.test',
    );
    const cancelled = buildInvite({ ...base, sequence: 2, method: 'CANCEL' }, 'crm.test');
    expect(field(first, 'UID')).toBe(`appointment-${base.appointmentId}@crm.test`);
    expect(field(moved, 'UID')).toBe(field(first, 'UID'));
    expect(field(cancelled, 'UID')).toBe(field(first, 'UID'));
    expect([field(first, 'SEQUENCE'), field(moved, 'SEQUENCE'), field(cancelled, 'SEQUENCE')]).toEqual([
      '0',
      '1',
      '2',
    ]);
    expect([field(first, 'METHOD'), field(cancelled, 'METHOD')]).toEqual(['REQUEST', 'CANCEL']);
    expect(field(cancelled, 'STATUS')).toBe('CANCELLED');
    expect(field(first, 'DTSTART')).toBe('20260616T020000Z');
    expect(field(moved, 'DTSTART')).toBe('20260617T020000Z');
  });
});
