import { BeforeApplicationShutdown, Injectable, Logger } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import * as os from 'node:os';
import { DataSource } from 'typeorm';
import { AppConfig } from '../config/app-config';
import { EmailBouncingService } from '../customers/email-bouncing.service';
import { BookingLinks } from './booking-links';
import type { SendResult } from './channels/channel-driver';
import { EmailComposer } from './channels/email.composer';
import { EmailDriver } from './channels/email.driver';
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
import { OutboxClaimsRepository, type Claim } from './outbox-claims.repository';
import { OutcomeRecorder } from './outcome-recorder';
import { SendingRules } from './sending-rules';
import { TemplateRenderer, type RenderedEmail } from './template-renderer';
import { UnsubscribeLinks } from './unsubscribe-links';

export * from './dispatch-settings';
export type { Claim } from './outbox-claims.repository';
export type { DispatchSummary, Outcome } from './dispatch-pipeline';

/**
 * Sends what the outbox holds, at most once in effect, with several workers and instances:
 *  1. claim: one statement takes due rows with FOR UPDATE SKIP LOCKED, marks them 'sending' under a lease,
 *     bumps their fence and opens their attempt rows (also taking over rows whose lease expired)
 *     — outbox-claims.repository.ts;
 *  2. check the sending rules for the whole claimed batch in one short transaction, under the advisory locks
 *     of its customers (taken in a fixed order) and the row locks, re-checking each fence — claim-approval.ts;
 *  3. compose and send outside any transaction through the channel's driver (channels/), `concurrency` lanes
 *     (the SMTP pool size), while the next batch is claimed and checked in the background so the lanes never
 *     wait for the database; a message is completed only under the end-of-DATA gate — dispatch-pipeline.ts;
 *  4. record outcomes fenced (`WHERE id AND fence AND status = 'sending'`) in group commits, so a worker whose
 *     lease expired and whose row was claimed again can never overwrite the newer attempt — outcome-recorder.ts.
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
  /** Held from the end of a message's DATA until its outcome is committed (see EndOfDataGate). */
  private readonly endGate = new EndOfDataGate();
  private readonly claims: OutboxClaimsRepository;
  private readonly outcomes: OutcomeRecorder;
  private readonly approval: ClaimApproval;
  private readonly composer: EmailComposer;

  /** Each dispatcher works on the DataSource it is given (another instance: its own connection pool). */
  constructor(
    db: DataSource,
    config: AppConfig,
    private readonly driver: EmailDriver,
    rules: SendingRules,
    renderer: TemplateRenderer,
    links: UnsubscribeLinks,
    bouncing: EmailBouncingService,
    bookingLinks: BookingLinks = new BookingLinks(),
  ) {
    this.claims = new OutboxClaimsRepository(db, bouncing);
    this.outcomes = new OutcomeRecorder(this.claims, this.logger);
    this.composer = new EmailComposer(config, driver, renderer, links, bookingLinks);
    this.approval = new ClaimApproval(
      this.claims,
      rules,
      () => config.DEFAULT_LANGUAGE,
      (id) => this.composer.messageId(id),
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
    rendered: RenderedEmail | null,
    failure: { bounce: boolean; reason?: string } = { bounce: true },
  ): Promise<string | null> {
    return this.outcomes.record({ claim, asOf, result, rendered, failure });
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
    return runPipeline<ApprovedMessage>(
      {
        claim: (limit) => this.claim(asOf, workerId, limit),
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
    const { claim } = ready;
    // The end-of-DATA gate, once this send asks for it; released when the outcome is recorded.
    const gate = this.endGate.turn(ready.endBy);
    try {
      const composed = await this.composer.compose(ready.approved, asOf);
      if (!composed.ok) {
        const failed = {
          ok: false as const,
          kind: 'permanent' as const,
          smtpCode: null,
          error: composed.error,
        };
        const recorded = this.complete(claim, asOf, failed, null, { bounce: false, reason: 'render_failed' });
        return { outcome: 'failed', recorded: recorded.then((s) => (s ? 'failed' : 'lost')) };
      }
      const result = await this.driver.send(composed.mail, { beforeEnd: gate.beforeEnd });
      const recorded = this.recorded(claim, this.complete(claim, asOf, result, composed.rendered));
      // A definite refusal (an SMTP 4xx/5xx reply) delivered nothing: the next message may end its DATA at
      // once. An accepted message, or one whose reply never came (the server may have taken it), holds the
      // gate until its outcome is committed.
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
