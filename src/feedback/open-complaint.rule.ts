import { Injectable, Logger, OnModuleInit } from '@nestjs/common';
import { ModuleRef } from '@nestjs/core';
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

/** Registers the rule with the dispatcher's SendingRules (contract C3). */
@Injectable()
export class OpenComplaintRule implements OnModuleInit {
  private readonly logger = new Logger('Complaints');

  constructor(private readonly moduleRef: ModuleRef) {}

  onModuleInit() {
    let rules: SendingRules | null;
    try {
      rules = this.moduleRef.get(SendingRules, { strict: false });
    } catch {
      rules = null;
    }
    if (!rules) {
      this.logger.warn({
        msg: 'SendingRules not available: the open-complaint marketing rule is not registered',
      });
      return;
    }
    rules.registerSuppression('open_complaint', openComplaintSuppression);
  }
}
