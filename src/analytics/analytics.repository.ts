import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { CHANNELS, type Channel } from '../common/channels';
import {
  AT_RISK_PAGE_SQL,
  REFRESH_AT_RISK_SQL,
  AtRiskReasonCode,
  CHURN_SQL,
  COMPLAINT_SLA_SQL,
  FeedbackGroupBy,
  feedbackSql,
  LOYALTY_FLOW_SQL,
  LOYALTY_STANDING_SQL,
  SERVICE_RETENTION_SQL,
} from './analytics.queries';
import { CHANNEL_FIGURES_SQL, OUTREACH_PURPOSES, REMINDER_EFFECTIVENESS_SQL } from './outreach.queries';
import { ceilDate, minusMonths, Period } from './period';

export interface ChurnCounts {
  activeAtStart: number;
  stillActiveAtEnd: number;
}
export interface RetentionCounts {
  cohortVehicles: number;
  retainedVehicles: number;
  customerPayRetainedVehicles: number;
}
export interface FeedbackCounts {
  key: string | null;
  label: string | null;
  invited: number;
  answered: number;
  promoters: number;
  passives: number;
  detractors: number;
  csatAnswers: number;
  csatSatisfied: number;
}
export interface ComplaintSlaCounts {
  opened: number;
  responded: number;
  medianFirstResponseSeconds: number | null;
  firstResponseBreached: number;
  resolutionBreached: number;
}
export interface LoyaltyStanding {
  pointsOutstanding: number;
  members: { bronze: number; silver: number; gold: number; platinum: number };
}
export interface LoyaltyFlow {
  pointsEarned: number;
  pointsRedeemed: number;
}
export interface ReminderKindCounts {
  kind: string;
  channel: Channel;
  sent: number;
  attributedVisits: number;
  convertedMessages: number;
  attributedRevenue: string;
}
/** One channel's figures over a period (see CHANNEL_FIGURES_SQL). */
export interface ChannelCounts {
  channel: Channel;
  sent: number;
  delivered: number;
  undeliverable: number;
  failed: number;
  outreachSent: number;
  attributedVisits: number;
  convertedMessages: number;
  attributedRevenue: string;
}
export interface AtRiskRow {
  customerId: string;
  firstName: string;
  lastName: string;
  homeRooftopId: string;
  score: number;
  reasons: {
    code: AtRiskReasonCode;
    points: number;
    refs: { type: string; id: string; itemCode?: string }[];
  }[];
}

/** Data access for the analytics: each method runs one statement of analytics.queries.ts. */
@Injectable()
export class AnalyticsRepository {
  constructor(private readonly db: DataSource) {}

  async rooftopIds(): Promise<string[]> {
    const rows: { id: string }[] = await this.db.query(`SELECT id FROM rooftop ORDER BY name, id`);
    return rows.map((r) => r.id);
  }

  async userLanguage(userId: string): Promise<string> {
    const rows: { language: string }[] = await this.db.query(`SELECT language FROM app_user WHERE id = $1`, [
      userId,
    ]);
    return rows[0]?.language ?? 'en';
  }

  /** The time zone the rooftops share, or null when they differ (or there are none). */
  async commonTimeZone(ids: string[]): Promise<string | null> {
    const rows: { time_zone: string }[] = await this.db.query(
      `SELECT DISTINCT time_zone FROM rooftop WHERE id = ANY ($1::uuid[])`,
      [ids],
    );
    return rows.length === 1 ? rows[0].time_zone : null;
  }

  async rooftopExists(id: string): Promise<boolean> {
    const rows: unknown[] = await this.db.query(`SELECT 1 FROM rooftop WHERE id = $1`, [id]);
    return rows.length > 0;
  }

  async rooftopNames(ids: string[]): Promise<{ id: string; name: string; currency: string }[]> {
    return this.db.query(
      `SELECT id, name, currency FROM rooftop WHERE id = ANY ($1::uuid[]) ORDER BY name, id`,
      [ids],
    );
  }

  async churnCounts(scope: string[], period: Period): Promise<ChurnCounts> {
    const tz = period.timeZone;
    const startWindow = minusMonths(period.from, 12, tz);
    const endWindow = minusMonths(period.to, 12, tz);
    const [row] = await this.db.query(CHURN_SQL, [
      scope,
      startWindow,
      period.from,
      endWindow,
      period.to,
      ceilDate(startWindow, tz),
      ceilDate(period.from, tz),
      ceilDate(endWindow, tz),
      ceilDate(period.to, tz),
    ]);
    return { activeAtStart: row.active_at_start, stillActiveAtEnd: row.still_active_at_end };
  }

  async serviceRetentionCounts(scope: string[], asOf: Date, tz = 'UTC'): Promise<RetentionCounts> {
    const visitsFrom = minusMonths(asOf, 12, tz);
    const [row] = await this.db.query(SERVICE_RETENTION_SQL, [
      scope,
      ceilDate(minusMonths(asOf, 24, tz), tz),
      ceilDate(visitsFrom, tz),
      visitsFrom,
      asOf,
    ]);
    return {
      cohortVehicles: row.cohort_vehicles,
      retainedVehicles: row.retained_vehicles,
      customerPayRetainedVehicles: row.customer_pay_retained_vehicles,
    };
  }

  async feedbackCounts(
    scope: string[],
    period: Period,
    groupBy: FeedbackGroupBy | 'all',
  ): Promise<FeedbackCounts[]> {
    const rows: Record<string, unknown>[] = await this.db.query(feedbackSql(groupBy), [
      scope,
      period.from,
      period.to,
      // Months are the report's months ($4 is only in the month grouping).
      ...(groupBy === 'month' ? [period.timeZone] : []),
    ]);
    return rows.map((r) => ({
      key: r.key as string | null,
      label: r.label as string | null,
      invited: r.invited as number,
      answered: r.answered as number,
      promoters: r.promoters as number,
      passives: r.passives as number,
      detractors: r.detractors as number,
      csatAnswers: r.csat_answers as number,
      csatSatisfied: r.csat_satisfied as number,
    }));
  }

  async complaintSlaCounts(scope: string[], period: Period, now: Date): Promise<ComplaintSlaCounts> {
    const [row] = await this.db.query(COMPLAINT_SLA_SQL, [scope, period.from, period.to, now]);
    return {
      opened: row.opened,
      responded: row.responded,
      medianFirstResponseSeconds:
        row.median_first_response_seconds === null ? null : Number(row.median_first_response_seconds),
      firstResponseBreached: row.first_response_breached,
      resolutionBreached: row.resolution_breached,
    };
  }

  async loyaltyStanding(scope: string[]): Promise<LoyaltyStanding> {
    const [row] = await this.db.query(LOYALTY_STANDING_SQL, [scope]);
    return {
      pointsOutstanding: Number(row.points_outstanding),
      members: { bronze: row.bronze, silver: row.silver, gold: row.gold, platinum: row.platinum },
    };
  }

  async loyaltyFlow(scope: string[], period: Period): Promise<LoyaltyFlow> {
    const [row] = await this.db.query(LOYALTY_FLOW_SQL, [scope, period.from, period.to]);
    return { pointsEarned: Number(row.points_earned), pointsRedeemed: Number(row.points_redeemed) };
  }

  async reminderEffectiveness(scope: string[], period: Period): Promise<ReminderKindCounts[]> {
    const rows: Record<string, unknown>[] = await this.db.query(REMINDER_EFFECTIVENESS_SQL, [
      scope,
      period.from,
      period.to,
      OUTREACH_PURPOSES,
    ]);
    return rows.map((r) => ({
      kind: r.kind as string,
      channel: r.channel as Channel,
      sent: r.sent as number,
      attributedVisits: r.attributed_visits as number,
      convertedMessages: r.converted_messages as number,
      attributedRevenue: r.attributed_revenue as string,
    }));
  }

  async channelFigures(scope: string[], period: Period): Promise<ChannelCounts[]> {
    const rows: Record<string, unknown>[] = await this.db.query(CHANNEL_FIGURES_SQL, [
      scope,
      period.from,
      period.to,
      OUTREACH_PURPOSES,
      CHANNELS,
    ]);
    return rows.map((r) => ({
      channel: r.channel as Channel,
      sent: r.sent as number,
      delivered: r.delivered as number,
      undeliverable: r.undeliverable as number,
      failed: r.failed as number,
      outreachSent: r.outreach_sent as number,
      attributedVisits: r.attributed_visits as number,
      convertedMessages: r.converted_messages as number,
      attributedRevenue: r.attributed_revenue as string,
    }));
  }

  /** A page of the list the last `customer-risk` run stored, and as of when it was computed (null: never). */
  async atRiskPage(
    scope: string[],
    limit: number,
    after: string[] | undefined,
  ): Promise<{ rows: (AtRiskRow & { cursor_k0: string; cursor_k1: string })[]; asOf: Date | null }> {
    const [rows, run]: [Record<string, unknown>[], { as_of: Date }[]] = await Promise.all([
      this.db.query(AT_RISK_PAGE_SQL, [scope, limit + 1, after?.[0] ?? null, after?.[1] ?? null]),
      this.db.query(`SELECT as_of FROM customer_risk_run WHERE id = 1`),
    ]);
    return {
      asOf: run[0]?.as_of ?? null,
      rows: rows.map((r) => ({
        customerId: r.customer_id as string,
        firstName: r.first_name as string,
        lastName: r.last_name as string,
        homeRooftopId: r.home_rooftop_id as string,
        score: r.score as number,
        reasons: r.reasons as AtRiskRow['reasons'],
        cursor_k0: r.cursor_k0 as string,
        cursor_k1: r.cursor_k1 as string,
      })),
    };
  }

  /** Scores every customer of every rooftop as of `now` and replaces the stored list (one statement). */
  async refreshAtRisk(now: Date): Promise<{ atRisk: number; changed: number; removed: number }> {
    const [row]: { at_risk: number; changed: number; removed: number }[] = await this.db.query(
      REFRESH_AT_RISK_SQL,
      [(await this.db.query(`SELECT coalesce(array_agg(id), '{}') AS ids FROM rooftop`))[0].ids, now],
    );
    return { atRisk: row.at_risk, changed: row.changed, removed: row.removed };
  }
}
