import { Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown, Optional } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { DataSource } from 'typeorm';
import { Clock } from '../../../common/clock';
import { DomainEvents } from '../../../common/domain-events';
import { AppConfig } from '../../../config/app-config';
import type { ChannelDriver, OutgoingSms, SendOptions, SendResult } from '../channel-driver';
import { SmppBindLost, SmppPaused, SmppSession, parseSmppUrl } from './smpp-session';
import { SmsInbound } from './sms-inbound';
import { ESME_RTHROTTLED, failureOf, submitsFor, type SubmitFields } from './sms-submit';
import { splitSms } from './sms-text';

/**
 * How a throttled submit (ESME_RTHROTTLED) is retried: the whole session pauses for the back-off (doubling from
 * the first), and after `tries` refusals the send gives up as temporary, asking to wait the last back-off.
 */
export const SMS_THROTTLE = { firstMs: 1_000, maxMs: 8_000, tries: 4 };

/**
 * The SMS channel. With SMPP_URL: one SMPP 3.4 transceiver bind per process (SmppSession), each text split into
 * GSM-7 or UCS-2 parts, one submit_sm per part; the SMSC's message ids are the provider refs, and its delivery
 * receipts and incoming texts come back as domain events (SmsInbound). Without SMPP_URL (development): each
 * message is written to `<DATA_DIR>/sms/<outbox id>.json`.
 */
@Injectable()
export class SmsDriver implements ChannelDriver<OutgoingSms>, OnApplicationBootstrap, OnApplicationShutdown {
  readonly channel = 'sms';
  private readonly logger = new Logger('SmsDriver');
  private smpp: SmppSession | null = null;
  readonly inbound: SmsInbound;
  /** The throttling back-off (a setting: tests shorten it). */
  throttle = { ...SMS_THROTTLE };

  constructor(
    private readonly config: AppConfig,
    db: DataSource,
    events: DomainEvents,
    clock: Clock,
    /** Nest's; without an HTTP adapter (the CLI's application context) nothing binds at start. */
    @Optional() private readonly adapterHost?: HttpAdapterHost,
  ) {
    this.inbound = new SmsInbound(db, events, clock);
  }

  get mode(): 'smpp' | 'file' {
    return this.config.SMPP_URL ? 'smpp' : 'file';
  }

  /**
   * Binds at start (in the background) so that receipts and replies arrive before anything is sent. Not in the
   * CLI (an application context without HTTP): a command must not take one of the account's binds; one that
   * sends (jobs:run outbox-dispatch) binds when it first submits.
   */
  onApplicationBootstrap() {
    if (this.adapterHost && !this.adapterHost.httpAdapter) return;
    if (this.mode === 'smpp') this.session().start();
  }

  async onApplicationShutdown() {
    await this.smpp?.close();
    this.smpp = null;
  }

  async send(sms: OutgoingSms, options: SendOptions = {}): Promise<SendResult> {
    const split = splitSms(sms.text);
    try {
      if (this.mode === 'file') return await this.writeFile(sms, split, options);
      const session = this.session();
      // Bound before the gate: the last moment to call the send off is just before the first submit_sm.
      await session.bound();
      await options.beforeEnd?.();
      const refs: string[] = [];
      for (const fields of submitsFor(sms.outboxId, sms.to, this.config.SMS_SENDER, split)) {
        const answer = await this.submit(session, fields);
        if (typeof answer !== 'string') return answer;
        refs.push(answer);
      }
      return { ok: true, response: `accepted ${refs.length} part(s)`, providerRefs: refs };
    } catch (e) {
      if (e instanceof SmppPaused) return { ...failureOf(ESME_RTHROTTLED), retryAfterMs: e.retryAfterMs };
      if (e instanceof SmppBindLost) {
        return {
          ok: false,
          kind: 'temporary',
          smtpCode: null,
          error: e.message,
          retryAfterMs: e.retryAfterMs,
        };
      }
      return { ok: false, kind: 'temporary', smtpCode: null, error: (e as Error).message.slice(0, 500) };
    }
  }

  /** One part: its message id, or the failure. A throttled part waits (the whole session with it) and is resent. */
  private async submit(session: SmppSession, fields: SubmitFields): Promise<string | SendResult> {
    let backoff = this.throttle.firstMs;
    for (let refusal = 1; ; refusal += 1) {
      const response = await session.request('submit_sm', fields);
      const status = response.command_status;
      if (status === 0) return String(response.message_id);
      if (status !== ESME_RTHROTTLED) return failureOf(status);
      this.logger.warn({ msg: 'SMSC throttling: pausing submits', pauseMs: backoff });
      // The whole bind pauses, also when this send gives up: the other sends respect it too.
      session.pauseFor(backoff);
      if (refusal >= this.throttle.tries) return { ...failureOf(status), retryAfterMs: backoff };
      backoff = Math.min(backoff * 2, this.throttle.maxMs);
    }
  }

  private session(): SmppSession {
    this.smpp ??= new SmppSession(parseSmppUrl(this.config.SMPP_URL!), (pdu) => this.inbound.handle(pdu));
    return this.smpp;
  }

  private async writeFile(
    sms: OutgoingSms,
    split: ReturnType<typeof splitSms>,
    options: SendOptions,
  ): Promise<SendResult> {
    const body = {
      to: sms.to,
      from: this.config.SMS_SENDER,
      text: sms.text,
      encoding: split.encoding,
      dataCoding: split.dataCoding,
      parts: split.parts,
    };
    await options.beforeEnd?.();
    fs.mkdirSync(this.config.smsDir, { recursive: true });
    const file = path.join(this.config.smsDir, `${sms.outboxId}.json`);
    // Written whole then renamed, so a reader never sees half a message.
    fs.writeFileSync(`${file}.tmp`, JSON.stringify(body, null, 2));
    fs.renameSync(`${file}.tmp`, file);
    this.logger.debug({ msg: 'sms written to file', outboxId: sms.outboxId });
    return { ok: true, response: `written ${path.basename(file)}`, providerRefs: [`file:${sms.outboxId}`] };
  }
}
