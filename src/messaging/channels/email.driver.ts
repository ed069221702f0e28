import { Injectable, Logger, OnApplicationShutdown } from '@nestjs/common';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { Readable } from 'node:stream';
import { createTransport } from 'nodemailer';
import type Mail from 'nodemailer/lib/mailer';
import { AppConfig } from '../../config/app-config';
import type { ChannelDriver, SendOptions, SendResult } from './channel-driver';

export interface OutgoingMail {
  /** The outbox row id; names the .eml file in file mode. */
  outboxId: string;
  /** `<uuid@domain>`: the same on every retry so that a receiver can drop a duplicate. */
  messageId: string;
  from: { name: string; address: string } | string;
  to: string;
  subject: string;
  html: string;
  text: string;
  headers: Record<string, string>;
  /** An iCalendar invite (METHOD REQUEST or CANCEL): sent as a text/calendar alternative and an .ics attachment. */
  calendar?: { method: string; content: string };
}

/**
 * nodemailer's message stream, handed on in one piece and ended only once `beforeEnd` has settled. nodemailer
 * streams a message in a dozen small chunks (headers, each part, each encoded block) and the SMTP connection
 * writes each to the socket as it comes: a write system call per chunk. The chunks are collected here and handed
 * on together when the message is complete (or whenever `COALESCE_BYTES` are waiting, for a large message), before
 * `beforeEnd` is asked: the body is on its way before the end-of-DATA gate is waited for, and only the end waits.
 * A processing function of the message (the last step before the connection) rather than a transform stage: a
 * stage joins nodemailer's `pipeline()` of the message, which on finishing destroyed a stage not yet ended with an
 * error object built per email.
 */
function holdEnd(input: Readable, beforeEnd: () => Promise<void>): Readable {
  let chunks: Buffer[] = [];
  let bytes = 0;
  const output = new Readable({ read: () => undefined });
  const pushCollected = () => {
    if (bytes === 0) return;
    output.push(chunks.length === 1 ? chunks[0] : Buffer.concat(chunks, bytes));
    chunks = [];
    bytes = 0;
  };
  input.on('data', (chunk: Buffer) => {
    chunks.push(chunk);
    bytes += chunk.length;
    if (bytes >= COALESCE_BYTES) pushCollected();
  });
  input.once('end', () => {
    pushCollected();
    beforeEnd().then(
      () => output.push(null),
      (e: unknown) => output.destroy(e instanceof Error ? e : new Error(String(e))),
    );
  });
  input.once('error', (e) => output.destroy(e));
  return output;
}

/** A message larger than this goes on in pieces of about this size. */
const COALESCE_BYTES = 64 * 1024;

type HeldOptions = Mail.Options & { beforeEnd?: () => Promise<void> };

/**
 * The email channel. With SMTP_URL: a pooled nodemailer SMTP transport (connections are reused across a batch).
 * Without it (development): each message is written to `<DATA_DIR>/mail/<outbox id>.eml`.
 */
@Injectable()
export class EmailDriver implements ChannelDriver<OutgoingMail>, OnApplicationShutdown {
  readonly channel = 'email';
  private readonly logger = new Logger('MailTransport');
  private transport: Mail | null = null;

  constructor(private readonly config: AppConfig) {}

  get mode(): 'smtp' | 'file' {
    return this.config.SMTP_URL ? 'smtp' : 'file';
  }

  /** The envelope/Message-ID domain: the domain of MAIL_FROM. */
  get domain(): string {
    const match = /@([^>\s]+)>?\s*$/.exec(this.config.MAIL_FROM);
    return match ? match[1] : 'localhost';
  }

  /** MAIL_FROM split into name and address (used when a rooftop has no sender of its own). */
  get defaultFrom(): { name: string; address: string } {
    const match = /^\s*"?([^"<]*?)"?\s*<([^>]+)>\s*$/.exec(this.config.MAIL_FROM);
    if (match) return { name: match[1], address: match[2] };
    return { name: '', address: this.config.MAIL_FROM.trim() };
  }

  async send(mail: OutgoingMail, options: SendOptions = {}): Promise<SendResult> {
    const message: HeldOptions = {
      from: mail.from,
      to: mail.to,
      subject: mail.subject,
      html: mail.html,
      text: mail.text,
      messageId: mail.messageId,
      headers: mail.headers,
      textEncoding: 'base64',
      beforeEnd: options.beforeEnd,
      ...(mail.calendar
        ? {
            icalEvent: {
              filename: 'appointment.ics',
              method: mail.calendar.method,
              content: mail.calendar.content,
            },
          }
        : {}),
    };
    try {
      if (this.mode === 'file') return await this.writeFile(mail, message, options);
      const info = await this.smtp().sendMail(message);
      return { ok: true, response: String(info.response ?? '') };
    } catch (e) {
      return classify(e);
    }
  }

  async onApplicationShutdown() {
    this.close();
  }

  close() {
    this.transport?.close();
    this.transport = null;
  }

  private smtp(): Mail {
    if (!this.transport) {
      this.transport = createTransport({
        url: this.config.SMTP_URL,
        pool: true,
        maxConnections: 5,
        connectionTimeout: 15_000,
        greetingTimeout: 15_000,
        socketTimeout: 30_000, // well inside the 60 s claim lease
      } as Parameters<typeof createTransport>[0]) as Mail;
      // The message stream ends (and nodemailer writes the end of DATA) only after the sender's beforeEnd.
      this.transport.use('stream', (mail, done) => {
        const beforeEnd = (mail.data as HeldOptions).beforeEnd;
        if (beforeEnd) mail.message.processFunc((input) => holdEnd(input, beforeEnd));
        done();
      });
    }
    return this.transport;
  }

  private async writeFile(
    mail: OutgoingMail,
    message: HeldOptions,
    options: SendOptions,
  ): Promise<SendResult> {
    const stream = createTransport({ streamTransport: true, buffer: true, newline: 'unix' });
    const info = await stream.sendMail({ ...message, beforeEnd: undefined } as Mail.Options);
    await options.beforeEnd?.();
    fs.mkdirSync(this.config.mailDir, { recursive: true });
    const file = path.join(this.config.mailDir, `${mail.outboxId}.eml`);
    // Written whole then renamed, so a reader never sees half a message.
    fs.writeFileSync(`${file}.tmp`, info.message as Buffer);
    fs.renameSync(`${file}.tmp`, file);
    this.logger.debug({ msg: 'email written to file', outboxId: mail.outboxId });
    return { ok: true, response: `written ${path.basename(file)}` };
  }
}

/** SMTP 5xx is permanent; 4xx, timeouts and connection errors are temporary (SPEC "Sending rules"). */
export function classify(e: unknown): SendResult {
  const err = e as { responseCode?: number; code?: string; message?: string };
  const smtpCode = typeof err?.responseCode === 'number' ? err.responseCode : null;
  const error = (err?.message ?? String(e)).slice(0, 500);
  if (smtpCode !== null && smtpCode >= 500) return { ok: false, kind: 'permanent', smtpCode, error };
  return { ok: false, kind: 'temporary', smtpCode, error };
}
