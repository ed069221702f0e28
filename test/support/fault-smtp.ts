import { createHash } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { SMTPServer } from 'smtp-server';

/**
 * A misbehaving SMTP server for the fault suite. Per DATA command: recipients whose address hashes into the
 * `permanentShare` answer 550 every time (deterministic, so a 5xx address always fails); of the rest,
 * `temporaryShare` answer 451 and `dropShare` lose the connection without any reply (both random per
 * attempt, seeded); everything else is accepted with 250 and its Message-ID recorded.
 */
export interface FaultSmtpOptions {
  temporaryShare: number;
  permanentShare: number;
  dropShare: number;
  seed: number;
}

export interface FaultSmtp {
  url: string;
  /** Message-ID → how many times it was accepted (250). */
  accepted: Map<string, number>;
  /** Message-ID → how many times it was answered 550. */
  permanent: Map<string, number>;
  counts: { data: number; accepted: number; temporary: number; permanent: number; dropped: number };
  isPermanent(address: string): boolean;
  close(): Promise<void>;
}

function mulberry32(seed: number) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export async function startFaultSmtp(options: FaultSmtpOptions): Promise<FaultSmtp> {
  const random = mulberry32(options.seed);
  const isPermanent = (address: string) =>
    createHash('sha256').update(address.toLowerCase()).digest().readUInt32BE(0) / 2 ** 32 <
    options.permanentShare;
  const smtp: FaultSmtp = {
    url: '',
    accepted: new Map(),
    permanent: new Map(),
    counts: { data: 0, accepted: 0, temporary: 0, permanent: 0, dropped: 0 },
    isPermanent,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
  const bump = (map: Map<string, number>, key: string) => map.set(key, (map.get(key) ?? 0) + 1);
  const server: SMTPServer = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS', 'AUTH'],
    logger: false,
    closeTimeout: 200,
    size: 1_000_000,
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('end', () => {
        smtp.counts.data += 1;
        const head = Buffer.concat(chunks)
          .toString('utf8', 0, 16_384)
          .split(/\r?\n\r?\n/)[0];
        const messageId = /^message-id:\s*(<[^>]+>)/im.exec(head)?.[1] ?? '(none)';
        const to = session.envelope.rcptTo.map((r) => r.address);
        if (to.some(isPermanent)) {
          smtp.counts.permanent += 1;
          bump(smtp.permanent, messageId);
          return callback(Object.assign(new Error('5.1.1 Mailbox unavailable'), { responseCode: 550 }));
        }
        const roll = random();
        if (roll < options.temporaryShare) {
          smtp.counts.temporary += 1;
          return callback(Object.assign(new Error('4.3.0 Try again later'), { responseCode: 451 }));
        }
        if (roll < options.temporaryShare + options.dropShare) {
          smtp.counts.dropped += 1;
          // Lose the connection mid-transaction: no reply at all, the client sees a socket error.
          const connections = (
            server as unknown as { connections: Set<{ id: string; _socket: { destroy(): void } }> }
          ).connections;
          for (const c of connections) if (c.id === session.id) c._socket.destroy();
          return;
        }
        smtp.counts.accepted += 1;
        bump(smtp.accepted, messageId);
        callback(null, 'Queued');
      });
    },
  });
  server.on('error', () => undefined);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  smtp.url = `smtp://127.0.0.1:${(server.server.address() as AddressInfo).port}`;
  return smtp;
}
