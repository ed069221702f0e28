import { simpleParser, type ParsedMail } from 'mailparser';
import type { AddressInfo } from 'node:net';
import { SMTPServer } from 'smtp-server';

export interface SunkMessage {
  raw: Buffer;
  parsed: ParsedMail;
  to: string[];
}

/** Decides the reply to a DATA command: null accepts; { code } rejects (451 temporary, 550 permanent...). */
export type Responder = (attempt: number, raw: Buffer) => { code: number; message: string } | null;

/**
 * A real SMTP server for tests (smtp-server). `accepted` holds every message it said 250 to, parsed back with
 * mailparser; `attempts` counts every DATA it received, accepted or not.
 */
export interface SmtpSink {
  url: string;
  accepted: SunkMessage[];
  attempts: number;
  respond(responder: Responder): void;
  /** Holds every DATA reply until the returned function is called; `held` counts the messages waiting. */
  pause(): () => void;
  held: number;
  /** Awaited when a message's DATA has ended, before the reply (null: none). */
  onEnd: ((raw: Buffer) => Promise<void>) | null;
  reset(): void;
  close(): Promise<void>;
}

export async function startSmtpSink(): Promise<SmtpSink> {
  let responder: Responder = () => null;
  let gate: Promise<void> | null = null;
  const sink: SmtpSink = {
    url: '',
    accepted: [],
    attempts: 0,
    respond(r) {
      responder = r;
    },
    held: 0,
    onEnd: null,
    pause() {
      let open!: () => void;
      gate = new Promise<void>((resolve) => (open = resolve));
      return () => {
        gate = null;
        open();
      };
    },
    reset() {
      sink.accepted.length = 0;
      sink.attempts = 0;
      responder = () => null;
      sink.onEnd = null;
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS', 'AUTH'],
    logger: false,
    hideSecurityWarning: true,
    closeTimeout: 200,
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (c: Buffer) => chunks.push(c));
      const reply = async () => {
        if (gate) {
          sink.held += 1;
          await gate;
          sink.held -= 1;
        }
        const raw = Buffer.concat(chunks);
        if (sink.onEnd) await sink.onEnd(raw);
        sink.attempts += 1;
        const rejection = responder(sink.attempts, raw);
        if (rejection) {
          const err = Object.assign(new Error(rejection.message), { responseCode: rejection.code });
          return callback(err);
        }
        simpleParser(raw).then(
          (parsed) => {
            sink.accepted.push({ raw, parsed, to: session.envelope.rcptTo.map((r) => r.address) });
            callback(null, 'queued');
          },
          (e: Error) => callback(e),
        );
      };
      stream.on('end', () => void reply());
    },
  } as ConstructorParameters<typeof SMTPServer>[0]);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  sink.url = `smtp://127.0.0.1:${(server.server.address() as AddressInfo).port}`;
  return sink;
}

/** A raw header value as sent (mailparser folds List-* headers into a structured `list` object). */
export function rawHeader(parsed: ParsedMail, name: string): string | undefined {
  const line = parsed.headerLines.find((h) => h.key === name.toLowerCase())?.line;
  return line
    ?.slice(line.indexOf(':') + 1)
    .replace(/\r?\n\s+/g, ' ')
    .trim();
}
