import { Injectable, OnModuleInit } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { SendingRules, type RuleMessage } from '../messaging/sending-rules';

/** SPEC "Sending rules": no marketing while the customer has an open (not resolved or closed) complaint. */
export async function openComplaintSuppression(
  manager: EntityManager,
  message: Pick<RuleMessage, 'customerId' | 'purpose'>,
): Promise<string | null> {
  if (message.purpose !== 'marketing') return null;
  const rows: unknown[] = await manager.query(
    `SELECT 1 FROM complaint_case WHERE customer_id = $1 AND state IN ('open','acknowledged') LIMIT 1`,
    [message.customerId],
  );
  return rows.length > 0 ? 'open_complaint' : null;
}

/** Registers the rule with messaging's SendingRules (contract C3; messaging is global and exports them). */
@Injectable()
export class OpenComplaintRule implements OnModuleInit {
  constructor(private readonly rules: SendingRules) {}

  onModuleInit() {
    this.rules.registerSuppression('open_complaint', openComplaintSuppression);
  }
}
