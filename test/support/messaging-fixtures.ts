import { DataSource } from 'typeorm';
import { OutboxService, type EnqueueMessage } from '../../src/messaging/outbox.service';

let seq = 0;

/** A customer row written directly (the messaging tests need only the columns the dispatcher reads). */
export async function insertCustomer(
  db: DataSource,
  rooftopId: string,
  fields: {
    firstName?: string;
    language?: 'en' | 'km' | 'lo';
    email?: string | null;
    bouncing?: boolean;
  } = {},
): Promise<string> {
  seq += 1;
  const rows: { id: string }[] = await db.query(
    `INSERT INTO customer (home_rooftop_id, first_name, last_name, email, language, email_bouncing)
     VALUES ($1, $2, 'Test', $3, $4, $5) RETURNING id`,
    [
      rooftopId,
      fields.firstName ?? `Dara${seq}`,
      fields.email === undefined ? `customer${seq}.${Date.now()}@example.test` : fields.email,
      fields.language ?? 'en',
      fields.bouncing ?? false,
    ],
  );
  return rows[0].id;
}

export async function recordConsent(
  db: DataSource,
  customerId: string,
  purpose: string,
  granted: boolean,
  at: Date,
) {
  await db.query(
    `INSERT INTO consent (customer_id, purpose, channel, granted, at, source) VALUES ($1, $2, 'email', $3, $4, 'staff')`,
    [customerId, purpose, granted, at],
  );
}

/** Enqueues through the real OutboxService in a transaction of its own. */
export async function enqueue(
  db: DataSource,
  message: Partial<EnqueueMessage> & Pick<EnqueueMessage, 'rooftopId' | 'customerId'>,
): Promise<string> {
  seq += 1;
  const id = await db.transaction((manager) =>
    new OutboxService().enqueue(manager, {
      dedupeKey: `test:${seq}:${Date.now()}`,
      kind: 'transactional',
      purpose: 'transactional',
      payload: { message: 'Your car is ready for pick-up.' },
      scheduledAt: new Date('2026-06-15T00:00:00Z'),
      ...message,
    }),
  );
  if (!id) throw new Error('enqueue inserted nothing');
  return id;
}

export async function outboxRow(db: DataSource, id: string) {
  const rows = await db.query(`SELECT * FROM outbox_message WHERE id = $1`, [id]);
  return rows[0];
}
