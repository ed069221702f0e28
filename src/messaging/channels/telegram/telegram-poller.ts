import { Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown, Optional } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Api } from 'grammy';
import { DataSource, type QueryRunner } from 'typeorm';
import { AppConfig } from '../../../config/app-config';
import { TelegramUpdatesService } from './telegram-updates.service';
import { TelegramDriver } from './telegram.driver';

const LOCK_KEY = 'telegram:get-updates';
/** Seconds Telegram holds a getUpdates open when there is nothing new (long polling). */
const LONG_POLL_SECONDS = 25;
/** How often an instance without the lock asks for it again. */
const LOCK_RETRY_MS = 10_000;
const ERROR_BACKOFF_MS = 2_000;
/** An update whose handling failed this often is skipped (logged), so that one bad update cannot stop the rest. */
const MAX_UPDATE_FAILURES = 3;
export const ALLOWED_UPDATES = ['message', 'callback_query'] as const;

/**
 * Long polling (TELEGRAM_UPDATES=polling): one instance at a time calls getUpdates — the one holding a session
 * advisory lock on its own connection; the others wait for it. If the holder dies, PostgreSQL drops its session
 * and its lock, and another instance takes over from Telegram's offset; an update the dead one handled but had
 * not yet confirmed comes again and is found in telegram_update.
 */
@Injectable()
export class TelegramPoller implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('TelegramPoller');
  private readonly abort = new AbortController();
  private loop: Promise<void> | null = null;
  private runner: QueryRunner | null = null;
  /** Updates handled since start (for tests and logs). */
  handled = 0;

  constructor(
    private readonly config: AppConfig,
    private readonly db: DataSource,
    private readonly driver: TelegramDriver,
    private readonly updates: TelegramUpdatesService,
    /** Nest's; without an HTTP adapter (the CLI's application context) nothing polls. */
    @Optional() private readonly adapterHost?: HttpAdapterHost,
  ) {}

  onApplicationBootstrap() {
    if (this.config.telegramUpdates !== 'polling') return;
    if (this.adapterHost && !this.adapterHost.httpAdapter) return;
    this.loop = this.run();
  }

  async onApplicationShutdown() {
    this.abort.abort();
    await this.loop;
  }

  /** Whether this instance holds the polling lock (tests, health). */
  get polling(): boolean {
    return this.runner !== null;
  }

  private async run(): Promise<void> {
    const signal = this.abort.signal;
    try {
      while (!signal.aborted) {
        if (!(await this.acquire())) {
          await sleep(LOCK_RETRY_MS, undefined, { signal }).catch(() => undefined);
          continue;
        }
        try {
          await this.poll(signal);
        } finally {
          await this.release();
        }
      }
    } catch (e) {
      if (!signal.aborted) this.logger.error({ msg: 'telegram polling stopped', error: describe(e) });
    }
  }

  private async acquire(): Promise<boolean> {
    const runner = this.db.createQueryRunner();
    try {
      await runner.connect();
      const [{ locked }]: { locked: boolean }[] = await runner.query(
        `SELECT pg_try_advisory_lock(hashtext($1)) AS locked`,
        [LOCK_KEY],
      );
      if (locked) {
        this.runner = runner;
        return true;
      }
    } catch (e) {
      this.logger.warn({ msg: 'telegram polling lock unavailable', error: describe(e) });
    }
    await runner.release();
    return false;
  }

  private async release(): Promise<void> {
    const runner = this.runner;
    this.runner = null;
    if (!runner) return;
    try {
      await runner.query(`SELECT pg_advisory_unlock(hashtext($1))`, [LOCK_KEY]);
    } catch {
      // The session ends with the release below, and the lock with it.
    }
    await runner.release();
  }

  private async poll(signal: AbortSignal): Promise<void> {
    // getUpdates is refused (409) while a webhook is set.
    await this.driver.api.deleteWebhook({ drop_pending_updates: false }, grammySignal(signal));
    let offset: number | undefined;
    const failures = new Map<number, number>();
    while (!signal.aborted) {
      try {
        const batch = await this.driver.api.getUpdates(
          { offset, timeout: LONG_POLL_SECONDS, allowed_updates: [...ALLOWED_UPDATES] },
          grammySignal(signal),
        );
        for (const update of batch) {
          if (signal.aborted) return;
          try {
            await this.updates.handle(update);
            this.handled += 1;
          } catch (e) {
            const count = (failures.get(update.update_id) ?? 0) + 1;
            failures.set(update.update_id, count);
            if (count < MAX_UPDATE_FAILURES) throw e;
            this.logger.error({
              msg: 'telegram update skipped',
              updateId: update.update_id,
              error: describe(e),
            });
          }
          failures.delete(update.update_id);
          offset = update.update_id + 1;
        }
        // The session must still be ours: if the database dropped it, so went the lock; start again.
        await this.runner!.query('SELECT 1');
      } catch (e) {
        if (signal.aborted) return;
        this.logger.warn({ msg: 'telegram getUpdates failed', error: describe(e) });
        await sleep(ERROR_BACKOFF_MS, undefined, { signal }).catch(() => undefined);
        if (!(await this.stillLocked())) return;
      }
    }
  }

  private async stillLocked(): Promise<boolean> {
    try {
      await this.runner!.query('SELECT 1');
      return true;
    } catch {
      return false;
    }
  }
}

/** grammY's Node build types its signal as the abort-controller package's; Node's own works with its fetch. */
function grammySignal(signal: AbortSignal) {
  return signal as unknown as Parameters<Api['getUpdates']>[1];
}

function describe(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}
