import { BeforeApplicationShutdown, Injectable, Logger, Optional } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import * as os from 'node:os';
import { DataSource } from 'typeorm';
import { CHANNELS, type Channel } from '../common/channels';
import { AppConfig } from '../config/app-config';
import { ContactPointsService } from '../customers/contact-points.service';
import { EmailBouncingService } from '../customers/email-bouncing.service';
import { BookingLinks } from './booking-links';
import type { SendOptions, SendResult } from './channels/channel-driver';
import { EmailComposer } from './channels/email.composer';
import { EmailDriver } from './channels/email.driver';
import { ShortTextComposer } from './channels/short-text.composer';
import { SmsDriver } from './channels/sms/sms.driver';
import { TelegramLinks } from './channels/telegram/telegram-links';
import { TelegramDriver } from './channels/telegram/telegram.driver';
import { ClaimApproval, type ApprovedMessage } from './claim-approval';
import {
  EndOfDataGate,
  emptySummary,
  errorText,
  runPipeline,
  type DispatchSummary,
  type Outcome,
  type Ready,
  type Sent,
} from './dispatch-pipeline';
import {
  DISPATCH_BATCH_SIZE,
  DISPATCH_CONCURRENCY,
  LEASE_SECONDS,
  MAX_BATCHES_PER_RUN,
} from './dispatch-settings';
import { OutboxClaimsRepository, type Claim, type RecordedContent } from './outbox-claims.repository';
import { OutcomeRecorder } from './outcome-recorder';
import { SendingRules } from './sending-rules';
import { TemplateRenderer } from './template-renderer';
import { UnsubscribeLinks } from './unsubscribe-links';

export * from './dispatch-settings';
export type { Claim } from './outbox-claims.repository';
export type { DispatchSummary, Outcome } from './dispatch-pipeline';

/** One channel's way to send an approved message: compose it, then hand it to the channel's driver. */
type ChannelSend = (
  approved: ApprovedMessage,
  asOf: Date,
  options: SendOptions,
) => Promise<{ ok: true; result: SendResult; content: RecordedContent } | { ok: false; error: string }>;

/**
 * Sends what the outbox holds, at most once in effect, with several workers and instances:
 *  1. claim: one statement takes due rows with FOR UPDATE SKIP LOCKED, marks them 'sending' under a lease,
 *     bumps their fence and opens their attempt rows (also taking over rows whose lease expired)
 *     — outbox-claims.repository.ts;
 *  2. check the sending rules for the whole claimed batch in one short transaction, under the advisory locks
 *     of its customers (taken in a fixed order) and the row locks, re-checking each fence — claim-approval.ts;
 *     The check also chooses the channel: the first in the customer's order with a usable contact point and
 *     consent for the purpose on it — channel-choice.ts;
 *  3. compose and send outside any transaction through the chosen channel's composer and driver (channels/),
 *     `concurrency` lanes, while the next batch is claimed and checked in the background so the lanes never
 *     wait for the database; a message is completed (end of DATA, its submit_sm, the Bot API request) only under
 *     one of its channel's end-gate permits (one per lane, held until the outcome is committed), one gate per
 *     channel so an SMS never waits for SMTP — dispatch-pipeline.ts;
 *  4. record outcomes fenced (`WHERE id AND fence AND status = 'sending'`) in group commits, so a worker whose
 *     lease expired and whose row was claimed again can never overwrite the newer attempt; a permanent failure
 *     marks the contact point and falls back to the next usable channel — outcome-recorder.ts.
 * A retry after an unknown outcome carries the same Message-ID, so a receiver can drop the duplicate.
 */
@Injectable()
export class DispatcherService implements BeforeApplicationShutdown {
  private readonly logger = new Logger('Dispatcher');
  workerId = `${os.hostname()}:${process.pid}:${randomUUID().slice(0, 8)}`;
  batchSize = DISPATCH_BATCH_SIZE;
  leaseSeconds = LEASE_SECONDS;
  concurrency = DISPATCH_CONCURRENCY;
  private stopping = false;
  private readonly running = new Set<Promise<unknown>>();
  /**
   * Per channel, one permit per sending lane, each held from the end of a message (end of DATA, its submit_sm,
   * the Bot API request) until its outcome is committed (see EndOfDataGate): a crash re-sends at most
   * `concurrency` messages per channel.
   */
  private readonly endGates = new Map<Channel, EndOfDataGate>(
    CHANNELS.map((c) => [c, new EndOfDataGate(() => this.concurrency)]),
  );
  private readonly claims: OutboxClaimsRepository;
  private readonly outcomes: OutcomeRecorder;
  private readonly approval: ClaimApproval;
  private readonly composer: EmailComposer;
  /** The channels this dispatcher has a driver for (email always; SMS and Telegram when provided). */
  private readonly senders = new Map<Channel, ChannelSend>();

  /**
   * Each dispatcher works on the DataSource it is given (another instance: its own connection pool). The SMS
   * and Telegram drivers and their composer are optional: a dispatcher built without them (a test's second
   * worker, the email benchmark) only chooses among the channels it can send on.
   */
  constructor(
    db: DataSource,
    config: AppConfig,
    private readonly driver: EmailDriver,
    rules: SendingRules,
    renderer: TemplateRenderer,
    links: UnsubscribeLinks,
    bouncing: EmailBouncingService,
    bookingLinks: BookingLinks = new BookingLinks(),
    @Optional() contactPoints: ContactPointsService = new ContactPointsService(),
    @Optional() sms?: SmsDriver,
    @Optional() telegram?: TelegramDriver,
    @Optional() shortText?: ShortTextComposer,
    @Optional() telegramLinks?: TelegramLinks,
  ) {
    this.claims = new OutboxClaimsRepository(db, bouncing, contactPoints);
    this.outcomes = new OutcomeRecorder(this.claims, this.logger);
    this.composer = new EmailComposer(config, driver, renderer, links, bookingLinks, telegramLinks);
    this.senders.set('email', async (approved, asOf, options) => {
      const composed = await this.composer.compose(approved, asOf);
      if (!composed.ok) return composed;
      return { ok: true, result: await driver.send(composed.mail, options), content: composed.rendered };
    });
    if (sms && shortText)
      this.senders.set('sms', async (approved, asOf, options) => {
        const composed = await shortText.composeSms(approved, asOf);
        if (!composed.ok) return composed;
        const content = { subject: null, html: null, text: composed.message.text };
        return { ok: true, result: await sms.send(composed.message, options), content };
      });
    if (telegram && shortText)
      this.senders.set('telegram', async (approved, asOf, options) => {
        const composed = await shortText.composeTelegram(approved, asOf);
        if (!composed.ok) return composed;
        const content = { subject: null, html: null, text: composed.message.text };
        return { ok: true, result: await telegram.send(composed.message, options), content };
      });
    this.approval = new ClaimApproval(
      this.claims,
      rules,
      () => config.DEFAULT_LANGUAGE,
      (id) => this.composer.messageId(id),
      [...this.senders.keys()],
    );
  }

  /** The 'outbox-dispatch' job: batches until nothing is due (or the run's batch budget is spent). */
  async dispatch(asOf: Date): Promise<DispatchSummary> {
    const summary = emptySummary();
    await this.track(this.pipeline(asOf, this.workerId, MAX_BATCHES_PER_RUN, summary));
    return summary;
  }

  /** Claims one batch and processes it; claims not started when shutdown begins are handed back. */
  async runBatch(asOf: Date, workerId = this.workerId): Promise<DispatchSummary> {
    const summary = emptySummary();
    await this.track(this.pipeline(asOf, workerId, 1, summary));
    return summary;
  }

  /** Step 1: take up to `limit` due rows (pending and due, or orphaned in 'sending') under a lease. */
  claim(asOf: Date, workerId: string, limit: number): Promise<Claim[]> {
    return this.claims.claimDue(asOf, workerId, limit, this.leaseSeconds);
  }

  /** Steps 2 to 4 for one claimed row. */
  async process(claim: Claim, asOf: Date): Promise<Outcome> {
    const [checked] = await this.approval.approveAll([claim], asOf);
    if (checked.outcome !== 'approved') return checked.outcome;
    const { outcome, recorded } = await this.sendApproved(
      { claim, approved: checked.approved, sendBy: Infinity, endBy: Infinity },
      asOf,
    );
    return recorded ? recorded : outcome;
  }

  /**
   * Step 4: records the outcome of the attempt this claim made — only if the row still carries the
   * claim's fence. Returns the new status, or null when a newer claim took the row over (the stale worker
   * changes nothing). Outcomes arriving together are written by one statement (group commit).
   */
  complete(
    claim: Claim,
    asOf: Date,
    result: SendResult,
    rendered: RecordedContent | null,
    failure: { bounce: boolean; reason?: string } = { bounce: true },
    channel: Channel = 'email',
  ): Promise<string | null> {
    return this.outcomes.record({ claim, asOf, channel, result, rendered, failure });
  }

  /** Gives a claim back untouched (shutdown before it started): pending again, no attempt consumed. */
  async handBack(claim: Claim): Promise<boolean> {
    return (await this.handBackAll([claim])) === 1;
  }

  /** Gives claims back in one fenced statement; returns how many were still held. */
  handBackAll(claims: Claim[]): Promise<number> {
    return this.claims.handBack(claims);
  }

  /** Stop claiming, let the in-flight batch finish; its unstarted claims are handed back. */
  async beforeApplicationShutdown(): Promise<void> {
    this.stopping = true;
    if (this.running.size > 0)
      this.logger.log({ msg: 'waiting for the in-flight batch', batches: this.running.size });
    await Promise.allSettled([...this.running]);
    await this.outcomes.drained();
  }

  private pipeline(
    asOf: Date,
    workerId: string,
    maxBatches: number,
    summary: DispatchSummary,
  ): Promise<void> {
    // A run lasts a while: each claim is made "as of" the run's instant plus the time the run has taken, so a
    // batch claimed a minute into the run gets a lease that ends a minute later too. The pipeline times its
    // send and end guards from each claim; a lease anchored at the run's start would already be over for a late
    // batch, and another instance would take the row over and send it again (test/reliability/lease-stall).
    const startedAt = Date.now();
    const claimAsOf = () => new Date(asOf.getTime() + (Date.now() - startedAt));
    return runPipeline<ApprovedMessage>(
      {
        // A claim waits for the outcomes already queued (a group commit, ~1 ms): it may take over rows whose lease
        // has ended, and one of them may be a message of this run whose reply came late and whose outcome is on
        // its way; claimed first, it would be sent again (test/reliability/lease-stall).
        claim: async (limit) => {
          await this.outcomes.written();
          return this.claim(claimAsOf(), workerId, limit);
        },
        approve: (claims) => this.approval.approveAll(claims, asOf),
        handBack: (claims) => this.handBackAll(claims),
        send: (ready) => this.sendApproved(ready, asOf),
        outcomeWriteFailing: () => this.outcomes.failingWrite(),
        stopping: () => this.stopping,
      },
      {
        batchSize: this.batchSize,
        concurrency: this.concurrency,
        leaseSeconds: this.leaseSeconds,
        maxBatches,
      },
      summary,
      this.logger,
    );
  }

  private track<T>(promise: Promise<T>): Promise<T> {
    this.running.add(promise);
    void promise.finally(() => this.running.delete(promise)).catch(() => undefined);
    return promise;
  }

  /**
   * Composes and sends one approved claim; the fenced outcome is queued for the next group commit and
   * `recorded` settles once it is committed.
   */
  private async sendApproved(ready: Ready<ApprovedMessage>, asOf: Date): Promise<Sent> {
    const { claim, approved } = ready;
    const { channel } = approved;
    // The channel's end gate, once this send asks for it; released when the outcome is recorded.
    const gate = this.endGates.get(channel)!.turn(ready.endBy);
    try {
      const send = this.senders.get(channel);
      const sent = send
        ? await send(approved, asOf, { beforeEnd: gate.beforeEnd })
        : { ok: false as const, error: `no driver for channel ${channel}` };
      if (!sent.ok) {
        gate.release();
        const failed = {
          ok: false as const,
          kind: 'permanent' as const,
          smtpCode: null,
          error: sent.error,
        };
        const recorded = this.complete(
          claim,
          asOf,
          failed,
          null,
          { bounce: false, reason: 'render_failed' },
          channel,
        );
        return { outcome: 'failed', recorded: this.recorded(claim, recorded) };
      }
      const { result, content } = sent;
      const recorded = this.recorded(claim, this.complete(claim, asOf, result, content, undefined, channel));
      // A definite refusal (a reply code: SMTP 4xx/5xx, an SMPP command_status, a Bot API error_code)
      // delivered nothing: the next message may end at once. An accepted message, or one whose reply never
      // came (the channel may have taken it), holds the gate until its outcome is committed.
      if (!result.ok && result.smtpCode !== null) gate.release();
      void recorded.then(gate.release);
      return { outcome: 'error', recorded };
    } catch (e) {
      gate.release();
      this.logger.error({ msg: 'dispatch of a message failed', outboxId: claim.id, error: errorText(e) });
      // Leave it to the lease if even handing it back fails.
      await this.handBack(claim).catch(() => undefined);
      return { outcome: 'error' };
    }
  }

  /** The summary outcome of a recorded status: null means a newer claim took the row over. */
  private recorded(claim: Claim, status: Promise<string | null>): Promise<Outcome> {
    return status.then(
      (s): Outcome => {
        if (!s) {
          this.logger.warn({
            msg: 'lease lost before the outcome was recorded',
            outboxId: claim.id,
            fence: claim.fence,
          });
          return 'lost';
        }
        return s === 'sent' ? 'sent' : s === 'pending' ? 'retry' : 'failed';
      },
      async (e: unknown): Promise<Outcome> => {
        // The outcome could not be written: the lease decides (the retry carries the same Message-ID).
        this.logger.error({ msg: 'recording an outcome failed', outboxId: claim.id, error: errorText(e) });
        return 'error';
      },
    );
  }
}
