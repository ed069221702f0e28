import type { Logger } from '@nestjs/common';
import type { Claim } from './outbox-claims.repository';

/** A claim is not started later than this before its lease ends (the SMTP socket timeout plus a margin). */
const SEND_GUARD_MS = 35_000;
/**
 * A message is only completed (end of DATA) while its claim has at least this long left: the server's 250
 * and the outcome commit must land before another worker may take the row over.
 */
const END_GUARD_MS = 20_000;

export type Outcome =
  'sent' | 'retry' | 'failed' | 'suppressed' | 'deferred' | 'lost' | 'handed_back' | 'error';

export interface DispatchSummary {
  claimed: number;
  sent: number;
  retry: number;
  failed: number;
  suppressed: number;
  deferred: number;
  lost: number;
  handed_back: number;
  error: number;
}

export const emptySummary = (): DispatchSummary => ({
  claimed: 0,
  sent: 0,
  retry: 0,
  failed: 0,
  suppressed: 0,
  deferred: 0,
  lost: 0,
  handed_back: 0,
  error: 0,
});

/** The sending rules' answer for one claim of a batch. */
export type Checked<A> =
  { outcome: 'approved'; approved: A } | { outcome: 'suppressed' | 'deferred' | 'failed' | 'lost' | 'error' };

/** An approved claim waiting for a sending lane. */
export interface Ready<A> {
  claim: Claim;
  approved: A;
  /** Wall-clock time after which the claim is handed back instead of sent (its lease may be running out). */
  sendBy: number;
  /** Wall-clock time after which the message is no longer completed (end of DATA withheld). */
  endBy: number;
}

/** What a send step answers: its outcome now, or `recorded`, which settles once the outcome is committed. */
export interface Sent {
  outcome: Outcome;
  recorded?: Promise<Outcome>;
}

/** The steps the pipeline runs; the dispatcher service provides them. */
export interface PipelineSteps<A> {
  claim(limit: number): Promise<Claim[]>;
  approve(claims: Claim[]): Promise<Checked<A>[]>;
  handBack(claims: Claim[]): Promise<number>;
  send(ready: Ready<A>): Promise<Sent>;
  /** While outcome writes are failing: the write in flight (lanes wait for it before starting a send). */
  outcomeWriteFailing(): Promise<void> | null;
  stopping(): boolean;
}

export interface PipelineShape {
  batchSize: number;
  concurrency: number;
  leaseSeconds: number;
  maxBatches: number;
}

/** A FIFO counting semaphore: acquire() resolves with the function that releases its permit (once). */
class Semaphore {
  private held = 0;
  private readonly waiting: (() => void)[] = [];
  constructor(private readonly permits: () => number) {}

  acquire(): Promise<() => void> {
    return new Promise((resolve) => {
      const grant = () => {
        this.held += 1;
        let released = false;
        resolve(() => {
          if (released) return;
          released = true;
          this.held -= 1;
          this.next();
        });
      };
      this.waiting.push(grant);
      this.next();
    });
  }

  private next(): void {
    while (this.waiting.length > 0 && this.held < Math.max(1, this.permits())) this.waiting.shift()!();
  }
}

/** Resolves every waiter on notify(); lanes and the claim producer wait on it. */
class Signal {
  private waiters: (() => void)[] = [];
  wait(): Promise<void> {
    return new Promise((resolve) => this.waiters.push(resolve));
  }
  notify(): void {
    const waiters = this.waiters;
    this.waiters = [];
    for (const w of waiters) w();
  }
}

/**
 * The end-of-DATA gate of one channel: the lanes stream their messages concurrently, but a message is completed
 * (the act after which the channel has it: SMTP's final `<CRLF>.<CRLF>`, the first submit_sm, the Bot API request)
 * only under one of the gate's `permits` (the dispatcher's sending lanes), held until that message's outcome is
 * committed. So at most `permits` messages per channel per dispatcher are ever taken by the channel and not yet
 * recorded: a crash (SIGKILL, power loss) re-sends at most that many. The outcomes are group-committed, so the
 * permits come back together and the channel is kept busy (one permit would make every send wait for its own
 * commit: the rate is then at most 1 ÷ (reply + commit), see docs/reliability.md).
 */
export class EndOfDataGate {
  private readonly semaphore: Semaphore;

  /** `permits` is read at each acquire (the dispatcher's `concurrency` may be tuned after construction). */
  constructor(permits: () => number) {
    this.semaphore = new Semaphore(permits);
  }

  /**
   * One send's use of the gate: `beforeEnd` (the driver's hook) waits for a permit and withholds the end when
   * the claim's lease is running out; `release` hands the permit on (safe to call more than once, or before
   * `beforeEnd` was called).
   */
  turn(endBy: number): { beforeEnd: () => Promise<void>; release: () => void } {
    let held: Promise<() => void> | null = null;
    return {
      beforeEnd: async () => {
        held = this.semaphore.acquire();
        await held;
        if (Date.now() > endBy)
          throw new Error('claim lease running out: end of DATA withheld, nothing delivered');
      },
      release: () => {
        void held?.then((release) => release());
        held = null;
      },
    };
  }
}

/**
 * Up to `maxBatches` batches: a producer claims and checks the next batch while the queue of approved
 * messages runs low; `concurrency` lanes send from the queue. Outcomes are awaited before returning.
 */
export async function runPipeline<A>(
  steps: PipelineSteps<A>,
  shape: PipelineShape,
  summary: DispatchSummary,
  logger: Logger,
): Promise<void> {
  if (steps.stopping()) return;
  const run = new PipelineRun(steps, shape, summary, logger);
  await Promise.all([
    run.produce(),
    ...Array.from({ length: Math.max(1, shape.concurrency) }, () => run.lane()),
  ]);
  await Promise.all(run.recorded);
  if (run.failure) throw run.failure instanceof Error ? run.failure : new Error(String(run.failure));
}

/** One pipeline run: the queue of approved claims between the producer and the lanes. */
class PipelineRun<A> {
  private readonly queue: Ready<A>[] = [];
  private readonly signal = new Signal();
  /** Settles per send once its outcome is committed and counted. */
  readonly recorded: Promise<void>[] = [];
  private producing = true;
  failure: unknown = null;
  /** The next batch is claimed and checked while at most a batch is still waiting, so lanes never starve. */
  private readonly lowWater: number;
  private readonly leaseMs: number;
  private readonly guardMs: number;
  private readonly endGuardMs: number;

  constructor(
    private readonly steps: PipelineSteps<A>,
    private readonly shape: PipelineShape,
    private readonly summary: DispatchSummary,
    private readonly logger: Logger,
  ) {
    this.lowWater = Math.max(shape.concurrency, shape.batchSize);
    // A claim is sent only while a send started now still ends well inside its lease.
    this.leaseMs = shape.leaseSeconds * 1000;
    this.guardMs = Math.min(SEND_GUARD_MS, this.leaseMs / 2);
    this.endGuardMs = Math.min(END_GUARD_MS, this.leaseMs / 3);
  }

  async produce(): Promise<void> {
    const { steps, shape, queue, signal } = this;
    try {
      for (let i = 0; i < shape.maxBatches && !steps.stopping(); i++) {
        while (queue.length > this.lowWater && !steps.stopping()) await signal.wait();
        if (steps.stopping()) break;
        const claimedAt = Date.now();
        const claims = await steps.claim(shape.batchSize);
        this.summary.claimed += claims.length;
        if (claims.length > 0) {
          await this.check(claims, claimedAt);
          signal.notify();
        }
        if (claims.length < shape.batchSize) break;
      }
    } catch (e) {
      this.failure = e;
    } finally {
      this.producing = false;
      signal.notify();
    }
  }

  /** The sending rules for a claimed batch: approved claims join the queue, the rest are counted. */
  private async check(claims: Claim[], claimedAt: number): Promise<void> {
    const checked = await this.steps.approve(claims).catch(async (e: unknown): Promise<Checked<A>[]> => {
      this.logger.error({ msg: 'sending-rule check of a batch failed', error: errorText(e) });
      await this.steps.handBack(claims).catch(() => undefined);
      return claims.map(() => ({ outcome: 'error' as const }));
    });
    checked.forEach((c, k) => {
      if (c.outcome === 'approved')
        this.queue.push({
          claim: claims[k],
          approved: c.approved,
          sendBy: claimedAt + this.leaseMs - this.guardMs,
          endBy: claimedAt + this.leaseMs - this.endGuardMs,
        });
      else this.summary[c.outcome] += 1;
    });
  }

  async lane(): Promise<void> {
    const { steps, queue, signal, summary } = this;
    for (;;) {
      const ready = queue.shift();
      if (!ready) {
        if (!this.producing) return;
        await signal.wait();
        continue;
      }
      if (queue.length <= this.lowWater) signal.notify();
      // While outcomes cannot be recorded, sending more would only widen what a crash sends twice.
      for (let writing = steps.outcomeWriteFailing(); writing; writing = steps.outcomeWriteFailing())
        await writing;
      if (steps.stopping() || Date.now() > ready.sendBy) {
        // Not started: hand it back (with whatever else is queued) rather than send on a stale lease.
        const rest = [ready, ...queue.splice(0)];
        const back = await steps.handBack(rest.map((r) => r.claim)).catch(() => 0);
        summary.handed_back += back;
        summary.lost += rest.length - back;
        continue;
      }
      const { outcome, recorded } = await steps.send(ready);
      if (recorded) this.recorded.push(recorded.then((o) => void (summary[o] += 1)));
      else summary[outcome] += 1;
    }
  }
}

export function errorText(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}
