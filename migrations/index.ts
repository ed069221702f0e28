import { Foundation1764000000000 } from './1764000000000-foundation';
import { CustomerImport1764000001000 } from './1764000001000-customer-import';
import { Outbox1764000002000 } from './1764000002000-outbox';
import { MessagingExtras1764000002500 } from './1764000002500-messaging-extras';
import { MaintenanceCatalogue1764000003000 } from './1764000003000-maintenance-catalogue';
import { ServiceVisits1764000004000 } from './1764000004000-service-visits';
import { Loyalty1764000005000 } from './1764000005000-loyalty';
import { FollowUpsFeedback1764000006000 } from './1764000006000-follow-ups-feedback';
import { Analytics1764000007000 } from './1764000007000-analytics';
import { ErasureTombstone1764000008000 } from './1764000008000-erasure-tombstone';
import { ReminderSchedule1764000009000 } from './1764000009000-reminder-schedule';
import { CustomerRisk1764000010000 } from './1764000010000-customer-risk';
import { LoginThrottle1764000011000 } from './1764000011000-login-throttle';
import { RedemptionIdempotencyScope1764000012000 } from './1764000012000-redemption-idempotency-scope';
import { Appointments1764000020000 } from './1764000020000-appointments';
import { AppointmentVehicleIndex1764000021000 } from './1764000021000-appointment-vehicle-index';
import { LoyaltyErasureScrub1764000013000 } from './1764000013000-loyalty-erasure-scrub';
import { AdjustmentIdempotencyScope1764000014000 } from './1764000014000-adjustment-idempotency-scope';
import { Channels1764000030000 } from './1764000030000-channels';
import { RetryChannel1764000031000 } from './1764000031000-retry-channel';
import { InboundReplies1764000034000 } from './1764000034000-inbound-replies';
import { ChannelAnalytics1764000035000 } from './1764000035000-channel-analytics';
import { CustomerSearchWalk1764000037000 } from './1764000037000-customer-search-walk';
import { ReminderStageSetChecks1764000038000 } from './1764000038000-reminder-stage-set-checks';
import { ReminderStageKeyUpdates1764000039000 } from './1764000039000-reminder-stage-key-updates';

/** Every migration in order. Migrations are never edited after they land; add a new one instead. */
export const MIGRATIONS: Function[] = [
  Foundation1764000000000,
  CustomerImport1764000001000,
  Outbox1764000002000,
  MessagingExtras1764000002500,
  MaintenanceCatalogue1764000003000,
  ServiceVisits1764000004000,
  Loyalty1764000005000,
  FollowUpsFeedback1764000006000,
  Analytics1764000007000,
  ErasureTombstone1764000008000,
  ReminderSchedule1764000009000,
  CustomerRisk1764000010000,
  LoginThrottle1764000011000,
  RedemptionIdempotencyScope1764000012000,
  LoyaltyErasureScrub1764000013000,
  AdjustmentIdempotencyScope1764000014000,
  Appointments1764000020000,
  AppointmentVehicleIndex1764000021000,
  Channels1764000030000,
  RetryChannel1764000031000,
  InboundReplies1764000034000,
  ChannelAnalytics1764000035000,
  CustomerSearchWalk1764000037000,
  ReminderStageSetChecks1764000038000,
  ReminderStageKeyUpdates1764000039000,
];
