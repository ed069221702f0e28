import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { AuthUser } from '../auth/auth-user';
import { Clock } from '../common/clock';
import { ValidationFailedError } from '../common/problem/domain-error';
import { AppointmentAnalyticsDto, AppointmentAnalyticsQueryDto } from './dto/appointment-analytics.dto';

const DAY = 86_400_000;

/**
 * Appointments in the period (by slot start; appointment_rooftop_start_idx), with how they ended and the visit
 * they opened (reminder → appointment → visit): show and no-show rates, median lead time, the revenue of the
 * closed visits booked appointments opened, and per message kind the share of sent messages whose link booked.
 */
const APPOINTMENT_SQL = `
  SELECT count(*) FILTER (WHERE a.state = 'booked')::int AS booked,
         count(*) FILTER (WHERE a.state = 'checked_in')::int AS checked_in,
         count(*) FILTER (WHERE a.state = 'completed')::int AS completed,
         count(*) FILTER (WHERE a.state = 'cancelled')::int AS cancelled,
         count(*) FILTER (WHERE a.state = 'no_show')::int AS no_show,
         percentile_cont(0.5) WITHIN GROUP (ORDER BY extract(epoch FROM a.slot_start - a.created_at) / 3600)
           FILTER (WHERE a.state <> 'cancelled') AS median_lead_hours,
         count(*) FILTER (WHERE a.origin_message_id IS NOT NULL AND a.service_visit_id IS NOT NULL)::int AS attributed_visits,
         coalesce(sum(v.customer_pay_amount + v.warranty_amount + v.internal_amount)
                    FILTER (WHERE v.status = 'closed'), 0)::numeric(14,2)::text AS revenue
    FROM appointment a
    LEFT JOIN service_visit v ON v.id = a.service_visit_id
   WHERE a.slot_start >= $1 AND a.slot_start < $2 AND ($3::uuid[] IS NULL OR a.rooftop_id = ANY ($3::uuid[]))`;

/**
 * Messages sent in the period by kind and channel (the one that reached the customer; messages from before
 * channels went by email), and the appointments booked from their links (whenever booked).
 */
const BOOKING_RATE_SQL = `
  SELECT m.kind, COALESCE(m.channel, 'email') AS channel, count(*)::int AS sent, count(a.id)::int AS booked
    FROM outbox_message m
    LEFT JOIN appointment a ON a.origin_message_id = m.id
   WHERE m.status = 'sent' AND m.sent_at >= $1 AND m.sent_at < $2
     AND ($3::uuid[] IS NULL OR m.rooftop_id = ANY ($3::uuid[]))
     AND m.kind = ANY ($4::text[])
   GROUP BY 1, 2 ORDER BY 1, 2`;

/** The kinds whose emails carry a booking link (see booking-links.provider.ts), appointment emails aside. */
const LINKED_KINDS = [
  'service_reminder',
  'declined_service',
  'sale_check_in',
  'sale_thank_you',
  'purchase_anniversary',
  'warranty_expiring',
  'term_end',
  'win_back',
  'appointment_no_show',
];

const ratio = (a: number, b: number) => (b === 0 ? null : Math.round((a / b) * 10_000) / 10_000);

@Injectable()
export class AppointmentAnalyticsService {
  constructor(
    private readonly db: DataSource,
    private readonly clock: Clock,
  ) {}

  async report(q: AppointmentAnalyticsQueryDto, actor: AuthUser): Promise<AppointmentAnalyticsDto> {
    if (q.rooftopId) await actor.assertUsableRooftop(this.db, q.rooftopId, 'rooftopId');
    const to = q.to ? new Date(q.to) : this.clock.now();
    const from = q.from ? new Date(q.from) : new Date(to.getTime() - 30 * DAY);
    if (from >= to) throw new ValidationFailedError([{ field: 'from', message: 'from must be before to' }]);
    const scope = q.rooftopId ? [q.rooftopId] : actor.rooftopScope();
    const [row] = await this.db.query(APPOINTMENT_SQL, [from, to, scope]);
    const rates: { kind: string; channel: string; sent: number; booked: number }[] = await this.db.query(
      BOOKING_RATE_SQL,
      [from, to, scope, LINKED_KINDS],
    );
    const showed = row.checked_in + row.completed;
    return {
      from: from.toISOString(),
      to: to.toISOString(),
      appointments: {
        booked: row.booked,
        checkedIn: row.checked_in,
        completed: row.completed,
        cancelled: row.cancelled,
        noShow: row.no_show,
      },
      showRate: ratio(showed, showed + row.no_show),
      noShowRate: ratio(row.no_show, showed + row.no_show),
      medianLeadHours:
        row.median_lead_hours === null ? null : Math.round(Number(row.median_lead_hours) * 10) / 10,
      bookingRates: rates.map((r) => ({ ...r, rate: ratio(r.booked, r.sent) })),
      attributedVisits: row.attributed_visits,
      bookedVisitRevenue: row.revenue,
    };
  }
}
