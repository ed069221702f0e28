import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsOptional, IsString, IsUUID, Matches, MaxLength } from 'class-validator';
import { CHANNELS, type Channel } from '../../common/channels';
import { PageQueryDto } from '../../common/http/pagination';
import { IsOptionalNotNull } from '../../common/http/validators';

export const MESSAGE_STATUSES = ['pending', 'sending', 'sent', 'failed', 'suppressed', 'cancelled'] as const;
export type MessageStatus = (typeof MESSAGE_STATUSES)[number];
export const MESSAGE_PURPOSES = [
  'service_reminders',
  'follow_ups',
  'surveys',
  'marketing',
  'transactional',
] as const;

export class ListMessagesQueryDto extends PageQueryDto {
  @ApiPropertyOptional({ enum: MESSAGE_STATUSES, example: 'failed' })
  @IsOptional()
  @IsIn(MESSAGE_STATUSES)
  status?: MessageStatus;

  @ApiPropertyOptional({ description: 'Template kind', example: 'service_reminder' })
  @IsOptional()
  @IsString()
  @MaxLength(64)
  @Matches(/^[a-z0-9_]+$/, { message: 'kind must be a template kind such as service_reminder' })
  kind?: string;

  @ApiPropertyOptional({ enum: MESSAGE_PURPOSES, example: 'marketing' })
  @IsOptional()
  @IsIn(MESSAGE_PURPOSES)
  purpose?: string;

  @ApiPropertyOptional({ enum: CHANNELS, example: 'sms', description: 'The channel of the last attempt' })
  @IsOptional()
  @IsIn(CHANNELS)
  channel?: Channel;

  @ApiPropertyOptional({ format: 'uuid', example: '6f1c2a7e-3b8d-4c55-9b1e-2f0f6a8d9c01' })
  @IsOptional()
  @IsUUID()
  customerId?: string;

  @ApiPropertyOptional({ format: 'uuid', example: '0b6e6d1c-8f0a-4d3e-9a55-1c2d3e4f5a6b' })
  @IsOptional()
  @IsUUID()
  rooftopId?: string;
}

export class MessageSummaryDto {
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiProperty({ format: 'uuid' }) rooftopId: string;
  @ApiProperty({ format: 'uuid' }) customerId: string;
  @ApiPropertyOptional({ type: String, format: 'uuid', nullable: true }) vehicleId: string | null;
  @ApiProperty({ example: 'service_reminder' }) kind: string;
  @ApiProperty({ enum: MESSAGE_PURPOSES }) purpose: string;
  @ApiProperty({ enum: MESSAGE_STATUSES }) status: MessageStatus;
  @ApiPropertyOptional({
    type: String,
    nullable: true,
    example: 'quiet_hours',
    description: 'Why it is suppressed, deferred or failed',
  })
  statusReason: string | null;
  @ApiProperty({ example: '2026-06-15T03:00:00.000Z' }) scheduledAt: string;
  @ApiProperty({ example: '2026-06-15T03:00:00.000Z' }) nextAttemptAt: string;
  @ApiProperty({ example: 1 }) attempts: number;
  @ApiPropertyOptional({ type: String, format: 'date-time', nullable: true }) sentAt: string | null;
  @ApiPropertyOptional({
    type: String,
    nullable: true,
    example: '<6f1c2a7e-3b8d-4c55-9b1e-2f0f6a8d9c01@dealer-crm.local>',
  })
  messageId: string | null;
  @ApiPropertyOptional({
    nullable: true,
    enum: CHANNELS,
    description: 'The channel of the current or last attempt (null before the first)',
  })
  channel: Channel | null;
  @ApiProperty({
    type: [String],
    enum: CHANNELS,
    description: 'Channels this message failed on permanently (never tried again)',
  })
  failedChannels: Channel[];
  @ApiProperty({
    type: [String],
    enum: CHANNELS,
    description: 'The usable channels after the current one, tried after a permanent failure',
  })
  fallbackChannels: Channel[];
  @ApiPropertyOptional({
    nullable: true,
    enum: ['delivered', 'undeliverable'],
    description: "The channel's delivery receipt (SMS), when one came",
  })
  deliveryStatus: 'delivered' | 'undeliverable' | null;
  @ApiPropertyOptional({ type: String, format: 'date-time', nullable: true }) deliveredAt: string | null;
  @ApiPropertyOptional({
    type: String,
    nullable: true,
    description: 'Email address, phone (E.164) or Telegram chat id of the current or last attempt',
  })
  toAddress: string | null;
  @ApiPropertyOptional({ nullable: true, enum: ['en', 'km', 'lo'] }) language: string | null;
  @ApiPropertyOptional({ type: String, nullable: true }) subject: string | null;
  @ApiPropertyOptional({ type: String, nullable: true, example: '451 4.3.0 Try again later' }) lastError:
    string | null;
  @ApiProperty() createdAt: string;
}

export class MessageAttemptDto {
  @ApiProperty({ example: 1 }) attempt: number;
  @ApiPropertyOptional({ nullable: true, enum: CHANNELS, description: 'null until the rules chose one' })
  channel: Channel | null;
  @ApiProperty({ example: 'host-1:4242:ab12cd34' }) worker: string;
  @ApiProperty() startedAt: string;
  @ApiPropertyOptional({ type: String, format: 'date-time', nullable: true }) finishedAt: string | null;
  @ApiPropertyOptional({
    nullable: true,
    enum: ['sent', 'temporary_failure', 'bounced', 'blocked', 'undeliverable', 'failed', 'lease_expired'],
  })
  outcome: string | null;
  @ApiPropertyOptional({
    type: 'integer',
    nullable: true,
    example: 451,
    description: "The channel's reply code: SMTP reply, SMPP command_status, Telegram error_code",
  })
  smtpCode: number | null;
  @ApiPropertyOptional({ type: String, nullable: true }) error: string | null;
}

export class MessageDetailDto extends MessageSummaryDto {
  @ApiProperty({ type: 'object', additionalProperties: true }) payload: Record<string, unknown>;
  @ApiPropertyOptional({
    type: String,
    nullable: true,
    description: 'Rendered HTML part (as sent or last tried)',
  })
  html: string | null;
  @ApiPropertyOptional({ type: String, nullable: true, description: 'Rendered text part' }) text:
    string | null;
  @ApiProperty({ type: [MessageAttemptDto] }) attemptLog: MessageAttemptDto[];
}

export class MessagePageDto {
  @ApiProperty({ type: [MessageSummaryDto] }) items: MessageSummaryDto[];
  @ApiPropertyOptional({ type: String, nullable: true }) nextCursor: string | null;
}

export const RETRY_CHANNELS = ['same', 'next', ...CHANNELS] as const;
export type RetryChannel = (typeof RETRY_CHANNELS)[number];

export class RetryMessageDto {
  @ApiPropertyOptional({
    enum: RETRY_CHANNELS,
    default: 'same',
    description:
      "'same': the channel of the last attempt; 'next': the next usable channel of the customer's order after it; or a channel by name",
  })
  @IsOptionalNotNull()
  @IsIn(RETRY_CHANNELS)
  channel?: RetryChannel;
}
