import { EntityManager } from 'typeorm';

/**
 * The places taken per slot (table appointment_slot, primary key (rooftop_id, slot_start)). Taking a place
 * is one conditional upsert: concurrent bookings of one slot serialize on its row, and the `taken < places`
 * condition is evaluated on the row as the previous booking committed it — the database, not a read made
 * earlier, decides who gets the last place. Several app instances share the row, so the same holds across them.
 */
export const AppointmentSlots = {
  /** Takes one place; false when the slot is full. */
  async take(m: EntityManager, rooftopId: string, slotStart: Date, places: number): Promise<boolean> {
    const rows: unknown[] = await m.query(
      `INSERT INTO appointment_slot AS s (rooftop_id, slot_start, taken) VALUES ($1, $2, 1)
       ON CONFLICT (rooftop_id, slot_start) DO UPDATE SET taken = s.taken + 1 WHERE s.taken < $3
       RETURNING taken`,
      [rooftopId, slotStart, places],
    );
    return rows.length > 0;
  },

  /** Gives a place back (cancel, reschedule). */
  async release(m: EntityManager, rooftopId: string, slotStart: Date): Promise<void> {
    await m.query(
      `UPDATE appointment_slot SET taken = taken - 1 WHERE rooftop_id = $1 AND slot_start = $2 AND taken > 0`,
      [rooftopId, slotStart],
    );
  },
};
