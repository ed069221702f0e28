import { Logger } from '@nestjs/common';
import { connect, type PDU, type Session } from 'smpp';
import { SMPP_VERSION_34 } from './sms-submit';

/** SMPP_URL taken apart. The password is a secret: it goes into bind_transceiver and nowhere else. */
export interface SmppAccount {
  host: string;
  port: number;
  tls: boolean;
  systemId: string;
  password: string;
}

export function parseSmppUrl(raw: string): SmppAccount {
  const url = new URL(raw);
  const tls = url.protocol === 'ssmpp:';
  return {
    host: url.hostname,
    port: url.port ? Number(url.port) : tls ? 3550 : 2775,
    tls,
    systemId: decodeURIComponent(url.username),
    password: decodeURIComponent(url.password),
  };
}

export interface SmppSessionSettings {
  /** Submits sent and not yet answered, at most. */
  window: number;
  enquireLinkMs: number;
  /** A request unanswered this long means the link is dead: the session is dropped and bound again. */
  responseTimeoutMs: number;
  /** Reconnect back-off after a lost or refused bind: doubles from the first to the last. */
  reconnectMs: { first: number; max: number };
}

export const SMPP_SESSION_SETTINGS: SmppSessionSettings = {
  window: 10,
  enquireLinkMs: 30_000,
  responseTimeoutMs: 30_000,
  reconnectMs: { first: 1_000, max: 30_000 },
};

/** No bind, or the bind went away with the request unanswered (then the SMSC may or may not have taken it). */
export class SmppBindLost extends Error {
  constructor(
    message: string,
    readonly retryAfterMs?: number,
  ) {
    super(message);
  }
}

/** The SMSC throttled this bind and the pause is longer than a send waits: try again after `retryAfterMs`. */
export class SmppPaused extends Error {
  constructor(readonly retryAfterMs: number) {
    super('SMSC throttling: submits paused');
  }
}

/** A send waits this long at most for a bind that is due again, or for a throttling pause to end; else temporary. */
const MAX_WAIT_FOR_BIND_MS = 5_000;

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** Handles a deliver_sm; answers the command_status of deliver_sm_resp (sent only after it settles). */
export type DeliverHandler = (pdu: PDU) => Promise<number>;

interface Pending {
  resolve: (pdu: PDU) => void;
  reject: (e: Error) => void;
  timer: NodeJS.Timeout;
}

/**
 * One SMPP transceiver bind per process. Binds when first needed and keeps the bind up: enquire_link every 30 s,
 * a dropped or refused bind is bound again with back-off. At most `window` submits are outstanding; the others
 * wait for a free place. A request whose response never came because the bind dropped (or went silent) fails
 * with SmppBindLost.
 */
export class SmppSession {
  private readonly logger = new Logger('SmppSession');
  private session: Session | null = null;
  private binding: Promise<Session> | null = null;
  private readonly pending = new Map<Session, Map<number, Pending>>();
  private outstanding = 0;
  private readonly waiting: (() => void)[] = [];
  private reconnectDelay: number;
  private reconnectTimer: NodeJS.Timeout | null = null;
  private reconnectAt = 0;
  private throttledUntil = 0;
  private enquireTimer: NodeJS.Timeout | null = null;
  private closing = false;

  constructor(
    private readonly account: SmppAccount,
    private readonly onDeliver: DeliverHandler,
    private readonly settings: SmppSessionSettings = SMPP_SESSION_SETTINGS,
  ) {
    this.reconnectDelay = settings.reconnectMs.first;
  }

  get isBound(): boolean {
    return this.session !== null;
  }

  /** The bound session, binding (or waiting for the bind in progress) when there is none. */
  bound(): Promise<Session> {
    if (this.closing) return Promise.reject(new SmppBindLost('SMPP session is shutting down'));
    if (this.session) return Promise.resolve(this.session);
    if (this.binding) return this.binding;
    if (this.reconnectTimer) {
      const wait = this.reconnectAt - Date.now();
      if (wait > MAX_WAIT_FOR_BIND_MS) return Promise.reject(new SmppBindLost('SMPP not bound', wait));
      return sleep(Math.max(wait, 0) + 10).then(() => this.bound());
    }
    this.binding = this.bind().finally(() => (this.binding = null));
    return this.binding;
  }

  /** Binds in the background (at start, so that receipts and replies arrive); retried with back-off. */
  start(): void {
    this.bound().catch(() => undefined);
  }

  /** The SMSC throttled us: no submit leaves this session before the pause is over. */
  pauseFor(ms: number): void {
    this.throttledUntil = Math.max(this.throttledUntil, Date.now() + ms);
  }

  /** Sends a request within the window; resolves with its response, whatever its command_status. */
  async request(command: string, fields: Record<string, unknown>): Promise<PDU> {
    await this.takePlace();
    try {
      for (let wait = this.throttledUntil - Date.now(); wait > 0; wait = this.throttledUntil - Date.now()) {
        if (command === 'submit_sm' && wait > MAX_WAIT_FOR_BIND_MS) throw new SmppPaused(wait);
        await sleep(wait);
      }
      const session = await this.bound();
      return await this.send(session, command, fields);
    } finally {
      this.releasePlace();
    }
  }

  /** Unbinds cleanly once the outstanding submits are answered (or given up after the response timeout). */
  async close(): Promise<void> {
    this.closing = true;
    if (this.reconnectTimer) clearTimeout(this.reconnectTimer);
    this.stopEnquiring();
    await this.binding?.catch(() => undefined);
    const session = this.session;
    if (!session) return;
    const deadline = Date.now() + this.settings.responseTimeoutMs;
    while (this.outstanding > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    await this.send(session, 'unbind', {}).catch(() => undefined);
    await new Promise<void>((resolve) => {
      session.close(resolve);
      setTimeout(() => {
        session.destroy();
        resolve();
      }, 2_000).unref();
    });
  }

  private async takePlace(): Promise<void> {
    if (this.outstanding < this.settings.window) {
      this.outstanding += 1;
      return;
    }
    await new Promise<void>((resolve) => this.waiting.push(resolve));
  }

  private releasePlace(): void {
    const next = this.waiting.shift();
    if (next) next();
    else this.outstanding -= 1;
  }

  private send(session: Session, command: string, fields: Record<string, unknown>): Promise<PDU> {
    return new Promise<PDU>((resolve, reject) => {
      const requests = this.pending.get(session);
      if (!requests) return reject(new SmppBindLost('SMPP bind lost before the request was sent'));
      const sent = (session as unknown as Record<string, (...a: unknown[]) => boolean>)[command].call(
        session,
        fields,
        (response: PDU) => {
          const entry = requests.get(response.sequence_number);
          if (!entry) return;
          clearTimeout(entry.timer);
          requests.delete(response.sequence_number);
          resolve(response);
        },
      );
      if (!sent) return reject(new SmppBindLost('SMPP bind lost before the request was sent'));
      // The smpp package numbers the request as it sends it; the newest callback is this one.
      const sequence = (session as unknown as { sequence: number }).sequence;
      const timer = setTimeout(() => {
        requests.delete(sequence);
        reject(new SmppBindLost(`SMPP ${command} unanswered for ${this.settings.responseTimeoutMs} ms`));
        this.logger.warn({ msg: 'SMPP peer silent: dropping the bind', command });
        session.destroy();
      }, this.settings.responseTimeoutMs);
      requests.set(sequence, { resolve, reject, timer });
    });
  }

  private bind(): Promise<Session> {
    return new Promise<Session>((resolve, reject) => {
      const { host, port, tls, systemId, password } = this.account;
      const session = connect({ host, port, tls });
      this.pending.set(session, new Map());
      // Before the bind: an SMSC may send queued receipts in the same packet as bind_transceiver_resp.
      this.answer(session);
      let settled = false;
      const fail = (reason: string) => {
        if (settled) return;
        settled = true;
        session.destroy();
        this.scheduleReconnect();
        reject(new SmppBindLost(reason, this.reconnectAt - Date.now()));
      };
      session.on('error', (e: Error & { code?: string }) => {
        this.logger.warn({ msg: 'SMPP connection error', code: e.code ?? e.message });
      });
      session.on('close', () => {
        this.lost(session);
        fail('SMPP connection closed before the bind');
      });
      session.on('connect', () => {
        this.send(session, 'bind_transceiver', {
          system_id: systemId,
          password,
          interface_version: SMPP_VERSION_34,
        }).then(
          (response) => {
            if (response.command_status !== 0) {
              this.logger.error({ msg: 'SMPP bind refused', commandStatus: response.command_status });
              return fail(`SMPP bind refused (command_status ${response.command_status})`);
            }
            settled = true;
            this.session = session;
            this.reconnectDelay = this.settings.reconnectMs.first;
            this.enquire(session);
            this.logger.log({ msg: 'SMPP bound', host, port });
            resolve(session);
          },
          (e: Error) => fail(e.message),
        );
      });
    });
  }

  /** Answers the SMSC's requests: deliver_sm after its handler settles, enquire_link, unbind. */
  private answer(session: Session): void {
    session.on('deliver_sm', (pdu: PDU) => {
      this.onDeliver(pdu).then(
        (status) => session.send(pdu.response({ command_status: status })),
        () => session.send(pdu.response({ command_status: 0x64 })), // ESME_RX_T_APPN: the SMSC delivers it again
      );
    });
    session.on('enquire_link', (pdu: PDU) => session.send(pdu.response()));
    session.on('unbind', (pdu: PDU) => {
      session.send(pdu.response());
      session.close();
    });
  }

  /** enquire_link every 30 s keeps the bind alive and finds a dead one (unanswered → dropped, bound again). */
  private enquire(session: Session): void {
    this.stopEnquiring();
    this.enquireTimer = setInterval(() => {
      this.send(session, 'enquire_link', {}).catch(() => undefined);
    }, this.settings.enquireLinkMs);
    this.enquireTimer.unref();
  }

  /** The bind is gone: every unanswered request fails as unknown, and a new bind follows after the back-off. */
  private lost(session: Session): void {
    const requests = this.pending.get(session);
    this.pending.delete(session);
    for (const entry of requests?.values() ?? []) {
      clearTimeout(entry.timer);
      entry.reject(new SmppBindLost('SMPP bind lost before the SMSC answered: outcome unknown'));
    }
    if (this.session !== session) return;
    this.session = null;
    this.stopEnquiring();
    if (this.closing) return;
    this.logger.warn({ msg: 'SMPP bind lost: binding again', afterMs: this.reconnectDelay });
    this.scheduleReconnect();
  }

  private scheduleReconnect(): void {
    if (this.reconnectTimer || this.closing) return;
    const delay = this.reconnectDelay;
    this.reconnectDelay = Math.min(delay * 2, this.settings.reconnectMs.max);
    this.reconnectAt = Date.now() + delay;
    this.reconnectTimer = setTimeout(() => {
      this.reconnectTimer = null;
      this.bound().catch(() => undefined); // a failed bind schedules the next try itself
    }, delay);
    this.reconnectTimer.unref();
  }

  private stopEnquiring(): void {
    if (this.enquireTimer) clearInterval(this.enquireTimer);
    this.enquireTimer = null;
  }
}
