import { Injectable } from '@nestjs/common';
import type { AuthUser } from '../auth/auth-user';
import { Clock } from '../common/clock';
import { DEFAULT_LIMIT, Page } from '../common/http/pagination';
import { NotFoundError } from '../common/problem/domain-error';
import type { Channel } from '../common/channels';
import {
  AnalyticsRepository,
  AtRiskRow,
  FeedbackCounts,
  type ReminderKindCounts,
} from './analytics.repository';
import { AT_RISK_KEYS, FeedbackGroupBy } from './analytics.queries';
import type { SeriesMetric } from './dto/analytics-query.dto';
import { monthBuckets, Period, ratio, resolvePeriod } from './period';

export interface PeriodQuery {
  from?: string;
  to?: string;
  rooftopId?: string;
  timeZone?: string;
}

/** NPS = %promoters − %detractors over the answers with an NPS, one decimal; null without answers. */
export function netPromoterScore(
  c: Pick<FeedbackCounts, 'promoters' | 'passives' | 'detractors'>,
): number | null {
  const n = c.promoters + c.passives + c.detractors;
  return n > 0 ? Math.round(((c.promoters - c.detractors) / n) * 1000) / 10 : null;
}

function feedbackView(c: FeedbackCounts) {
  return {
    invited: c.invited,
    answered: c.answered,
    responseRate: ratio(c.answered, c.invited),
    promoters: c.promoters,
    passives: c.passives,
    detractors: c.detractors,
    nps: netPromoterScore(c),
    csatAnswers: c.csatAnswers,
    csatSatisfied: c.csatSatisfied,
    csat: ratio(c.csatSatisfied, c.csatAnswers),
  };
}

const EMPTY_FEEDBACK: FeedbackCounts = {
  key: 'all',
  label: 'all',
  invited: 0,
  answered: 0,
  promoters: 0,
  passives: 0,
  detractors: 0,
  csatAnswers: 0,
  csatSatisfied: 0,
};

/** The channels whose provider reports delivery (SMPP receipts, Telegram's answer); email has no receipts. */
const RECEIPT_CHANNELS: Channel[] = ['sms', 'telegram'];

/** Reminder effectiveness rows per kind and channel, summed per kind (in kind order). */
function perKind(rows: ReminderKindCounts[]) {
  const byKind = new Map<string, Omit<ReminderKindCounts, 'channel'>>();
  for (const { channel: _channel, ...r } of rows) {
    const k = byKind.get(r.kind);
    if (!k) {
      byKind.set(r.kind, { ...r });
      continue;
    }
    k.sent += r.sent;
    k.attributedVisits += r.attributedVisits;
    k.convertedMessages += r.convertedMessages;
    k.attributedRevenue = cents(
      Math.round(Number(k.attributedRevenue) * 100) + Math.round(Number(r.attributedRevenue) * 100),
    );
  }
  return [...byKind.values()];
}

const cents = (n: number) => (n / 100).toFixed(2);

/**
 * Retention analytics for managers. Every figure is scoped to rooftops: one the caller asks for (404 if
 * not granted), else every rooftop granted (admins: all). Rates are fractions (0–1, 4 decimals) and are
 * null when their denominator is 0; NPS is −100…100.
 */
@Injectable()
export class AnalyticsService {
  constructor(
    private readonly repo: AnalyticsRepository,
    private readonly clock: Clock,
  ) {}

  async scope(user: AuthUser, rooftopId: string | undefined): Promise<string[]> {
    if (rooftopId) {
      user.assertRooftop(rooftopId, 'Rooftop');
      if (!(await this.repo.rooftopExists(rooftopId))) throw new NotFoundError('Rooftop');
      return [rooftopId];
    }
    return user.isAdmin ? this.repo.rooftopIds() : [...user.rooftopIds];
  }

  /**
   * The report's calendar: `timeZone` when asked, else the time zone the rooftops in scope share, else UTC
   * (rooftops in different zones).
   */
  private async period(q: PeriodQuery, scope: string[]): Promise<Period> {
    const timeZone = q.timeZone ?? (await this.repo.commonTimeZone(scope)) ?? 'UTC';
    return resolvePeriod(q.from, q.to, this.clock.now(), timeZone);
  }

  private static periodView(period: Period) {
    return { from: period.from.toISOString(), to: period.to.toISOString(), timeZone: period.timeZone };
  }

  async summary(user: AuthUser, q: PeriodQuery) {
    const scope = await this.scope(user, q.rooftopId);
    const period = await this.period(q, scope);
    const [churn, retention, feedback, complaints, loyalty] = await Promise.all([
      this.churn(scope, period),
      this.retention(scope, period.to, period.timeZone),
      this.repo.feedbackCounts(scope, period, 'all'),
      this.complaints(scope, period),
      this.loyalty(scope, period),
    ]);
    return {
      period: AnalyticsService.periodView(period),
      rooftopIds: scope,
      churn,
      retention,
      feedback: feedbackView(feedback[0] ?? EMPTY_FEEDBACK),
      complaints,
      loyalty,
    };
  }

  async feedback(user: AuthUser, q: PeriodQuery & { groupBy?: FeedbackGroupBy }) {
    const scope = await this.scope(user, q.rooftopId);
    const period = await this.period(q, scope);
    const groupBy = q.groupBy ?? 'rooftop';
    const rows = await this.repo.feedbackCounts(scope, period, groupBy);
    return {
      period: AnalyticsService.periodView(period),
      groupBy,
      items: rows.map((r) => ({ key: r.key, label: r.label, ...feedbackView(r) })),
    };
  }

  async reminders(user: AuthUser, q: PeriodQuery) {
    const scope = await this.scope(user, q.rooftopId);
    const period = await this.period(q, scope);
    const rows = await this.repo.reminderEffectiveness(scope, period);
    const items = perKind(rows).map((r) => ({ ...r, conversionRate: ratio(r.convertedMessages, r.sent) }));
    const sent = rows.reduce((s, r) => s + r.sent, 0);
    const converted = rows.reduce((s, r) => s + r.convertedMessages, 0);
    const revenueCents = rows.reduce((s, r) => s + Math.round(Number(r.attributedRevenue) * 100), 0);
    return {
      period: AnalyticsService.periodView(period),
      attributionWindowDays: 30,
      revenueBasis: 'customer_pay',
      items,
      // The same per kind and channel (the channel the message reached the customer on).
      byChannel: rows.map((r) => ({ ...r, conversionRate: ratio(r.convertedMessages, r.sent) })),
      totals: {
        sent,
        attributedVisits: rows.reduce((s, r) => s + r.attributedVisits, 0),
        convertedMessages: converted,
        conversionRate: ratio(converted, sent),
        attributedRevenue: (revenueCents / 100).toFixed(2),
      },
    };
  }

  /**
   * Per channel (SPEC "Analytics per channel"): sent, delivered and undeliverable by receipt (email has no
   * receipts: null), failed, read (no channel reports reads: null), and the visits attributed to the outreach
   * messages that reached the customer on it, with their conversion.
   */
  async channels(user: AuthUser, q: PeriodQuery) {
    const scope = await this.scope(user, q.rooftopId);
    const period = await this.period(q, scope);
    const rows = await this.repo.channelFigures(scope, period);
    return {
      period: AnalyticsService.periodView(period),
      attributionWindowDays: 30,
      items: rows.map((r) => {
        const receipts = RECEIPT_CHANNELS.includes(r.channel);
        return {
          channel: r.channel,
          sent: r.sent,
          delivered: receipts ? r.delivered : null,
          undeliverable: receipts ? r.undeliverable : null,
          deliveryRate: receipts ? ratio(r.delivered, r.sent) : null,
          failed: r.failed,
          read: null,
          outreachSent: r.outreachSent,
          attributedVisits: r.attributedVisits,
          convertedMessages: r.convertedMessages,
          conversionRate: ratio(r.convertedMessages, r.outreachSent),
          attributedRevenue: r.attributedRevenue,
        };
      }),
    };
  }

  async atRisk(
    user: AuthUser,
    q: { rooftopId?: string; limit?: number; cursor?: string },
  ): Promise<Page<AtRiskRow> & { computedAt: string | null }> {
    const scope = await this.scope(user, q.rooftopId);
    const limit = q.limit ?? DEFAULT_LIMIT;
    const after = AT_RISK_KEYS.decode(q.cursor);
    // The list the last `customer-risk` run computed (hourly by default); `computedAt` says as of when.
    const { rows, asOf } = await this.repo.atRiskPage(scope, limit, after);
    return {
      ...AT_RISK_KEYS.page(rows, limit),
      computedAt: asOf ? new Date(asOf).toISOString() : null,
    };
  }

  async series(user: AuthUser, q: PeriodQuery & { metric: SeriesMetric }) {
    const scope = await this.scope(user, q.rooftopId);
    const period = await this.period(q, scope);
    const points = [];
    // One set-based statement per month (at most 60): each point is the metric over that calendar month.
    for (const bucket of monthBuckets(period)) {
      points.push({
        month: bucket.month,
        from: bucket.from.toISOString(),
        to: bucket.to.toISOString(),
        value: await this.point(q.metric, scope, { ...bucket, timeZone: period.timeZone }),
      });
    }
    return {
      metric: q.metric,
      period: AnalyticsService.periodView(period),
      points,
    };
  }

  private async point(metric: SeriesMetric, scope: string[], p: Period): Promise<number | null> {
    switch (metric) {
      case 'churnRate':
        return (await this.churn(scope, p)).rate;
      case 'serviceRetention':
        return (await this.retention(scope, p.to, p.timeZone)).serviceRetentionRate;
      case 'customerPayRetention':
        return (await this.retention(scope, p.to, p.timeZone)).customerPayRetentionRate;
      case 'nps':
      case 'csat':
      case 'responseRate': {
        const [c] = await this.repo.feedbackCounts(scope, p, 'all');
        return feedbackView(c ?? EMPTY_FEEDBACK)[metric];
      }
      case 'complaintMedianFirstResponseHours':
        return (await this.complaints(scope, p)).medianFirstResponseHours;
      case 'complaintBreachRate':
        return (await this.complaints(scope, p)).firstResponseBreachRate;
      case 'redemptionRate': {
        const flow = await this.repo.loyaltyFlow(scope, p);
        return ratio(flow.pointsRedeemed, flow.pointsEarned);
      }
      case 'reminderConversion': {
        const rows = await this.repo.reminderEffectiveness(scope, p);
        return ratio(
          rows.reduce((s, r) => s + r.convertedMessages, 0),
          rows.reduce((s, r) => s + r.sent, 0),
        );
      }
    }
  }

  /** What the dashboard needs to draw itself: the viewer's language and rooftops. */
  async context(user: AuthUser) {
    const scope = await this.scope(user, undefined);
    return {
      language: await this.repo.userLanguage(user.id),
      role: user.role,
      rooftops: await this.repo.rooftopNames(scope),
    };
  }

  private async churn(scope: string[], period: Period) {
    const c = await this.repo.churnCounts(scope, period);
    const churned = c.activeAtStart - c.stillActiveAtEnd;
    return {
      activeAtStart: c.activeAtStart,
      stillActiveAtEnd: c.stillActiveAtEnd,
      churned,
      rate: ratio(churned, c.activeAtStart),
    };
  }

  private async retention(scope: string[], asOf: Date, tz: string) {
    const c = await this.repo.serviceRetentionCounts(scope, asOf, tz);
    return {
      asOf: asOf.toISOString(),
      cohortVehicles: c.cohortVehicles,
      retainedVehicles: c.retainedVehicles,
      serviceRetentionRate: ratio(c.retainedVehicles, c.cohortVehicles),
      customerPayRetainedVehicles: c.customerPayRetainedVehicles,
      customerPayRetentionRate: ratio(c.customerPayRetainedVehicles, c.cohortVehicles),
    };
  }

  private async complaints(scope: string[], period: Period) {
    const c = await this.repo.complaintSlaCounts(scope, period, this.clock.now());
    return {
      opened: c.opened,
      responded: c.responded,
      medianFirstResponseHours:
        c.medianFirstResponseSeconds === null
          ? null
          : Math.round((c.medianFirstResponseSeconds / 3600) * 100) / 100,
      firstResponseBreached: c.firstResponseBreached,
      firstResponseBreachRate: ratio(c.firstResponseBreached, c.opened),
      resolutionBreached: c.resolutionBreached,
      resolutionBreachRate: ratio(c.resolutionBreached, c.opened),
    };
  }

  private async loyalty(scope: string[], period: Period) {
    const [standing, flow] = await Promise.all([
      this.repo.loyaltyStanding(scope),
      this.repo.loyaltyFlow(scope, period),
    ]);
    return { ...standing, ...flow, redemptionRate: ratio(flow.pointsRedeemed, flow.pointsEarned) };
  }
}
