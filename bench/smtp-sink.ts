/**
 * The benchmark's SMTP sink, in a process of its own (so that receiving does not share the sender's event loop):
 *   node -r ./test/support/swc-register.js bench/smtp-sink.ts   (started by bench/dispatch.ts over IPC)
 * Accepts every message with a 250. Over IPC it reports its port ({ port }) once listening, and answers
 * { type: 'count' } with { received } and { type: 'sample' } with the largest message it received as sent (its
 * raw bytes, base64, and envelope): the bare baseline sends that very email.
 */
import type { AddressInfo } from 'node:net';
import { SMTPServer } from 'smtp-server';

let received = 0;
let sample: { raw: Buffer; from: string; to: string[] } | null = null;

const server = new SMTPServer({
  authOptional: true,
  disabledCommands: ['STARTTLS', 'AUTH'],
  logger: false,
  hideSecurityWarning: true,
  closeTimeout: 200,
  onData(stream, session, callback) {
    const chunks: Buffer[] = [];
    stream.on('data', (d: Buffer) => chunks.push(d));
    stream.on('end', () => {
      received += 1;
      const size = chunks.reduce((s, c) => s + c.length, 0);
      if (!sample || size > sample.raw.length) {
        sample = {
          raw: Buffer.concat(chunks),
          from: session.envelope.mailFrom ? session.envelope.mailFrom.address : '',
          to: session.envelope.rcptTo.map((r) => r.address),
        };
      }
      callback(null, 'queued');
    });
  },
} as ConstructorParameters<typeof SMTPServer>[0]);

server.listen(0, '127.0.0.1', () => {
  process.send!({ port: (server.server.address() as AddressInfo).port });
});

process.on('message', (m: { type: string }) => {
  if (m.type === 'count') process.send!({ type: 'count', received });
  if (m.type === 'sample')
    process.send!({
      type: 'sample',
      sample: sample && { raw: sample.raw.toString('base64'), from: sample.from, to: sample.to },
    });
});
process.on('disconnect', () => server.close(() => process.exit(0)));
