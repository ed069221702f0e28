import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import {
  IsEmail,
  IsIn,
  IsOptional,
  IsString,
  IsUUID,
  MaxLength,
  MinLength,
  registerDecorator,
  ValidationArguments,
  ValidationOptions,
} from 'class-validator';
import { CHANNELS, type Channel } from '../../common/channels';
import { PageQueryDto } from '../../common/http/pagination';
import { IsOptionalNotNull } from '../../common/http/validators';
import { LANGUAGES, type Language } from '../../config/app-config';
import { isCalendarDate, normalisePhone } from '../customer-rules';

const trim = ({ value }: { value: unknown }) => (typeof value === 'string' ? value.trim() : value);

function IsPhone(options?: ValidationOptions) {
  return (object: object, propertyName: string) =>
    registerDecorator({
      name: 'isPhone',
      target: object.constructor,
      propertyName,
      options,
      validator: {
        validate: (value: unknown) => typeof value === 'string' && normalisePhone(value) !== null,
        defaultMessage: (args: ValidationArguments) =>
          `${args.property} must be a valid phone number (local Cambodian numbers or +country code)`,
      },
    });
}

function IsCalendarDate(options?: ValidationOptions) {
  return (object: object, propertyName: string) =>
    registerDecorator({
      name: 'isCalendarDate',
      target: object.constructor,
      propertyName,
      options,
      validator: {
        validate: (value: unknown) => typeof value === 'string' && isCalendarDate(value),
        defaultMessage: (args: ValidationArguments) => `${args.property} must be a date written YYYY-MM-DD`,
      },
    });
}

/** The personal fields of a customer: the same rules for the API and for each CSV import row. */
export class CustomerFieldsDto {
  @ApiPropertyOptional({
    type: String,
    example: 'DMS-100234',
    description: 'The DMS customer number; unique',
    nullable: true,
  })
  @IsOptional()
  @Transform(trim)
  @IsString()
  @MinLength(1)
  @MaxLength(100)
  externalId?: string | null;

  @ApiProperty({ example: 'Dara' })
  @Transform(trim)
  @IsString()
  @MinLength(1)
  @MaxLength(100)
  firstName: string;

  @ApiPropertyOptional({ example: 'Sok', default: '' })
  @IsOptionalNotNull()
  @Transform(trim)
  @IsString()
  @MaxLength(100)
  lastName?: string;

  @ApiPropertyOptional({ type: String, format: 'email', example: 'dara.sok@example.com', nullable: true })
  @IsOptional()
  @Transform(trim)
  @IsEmail()
  @MaxLength(254)
  email?: string | null;

  @ApiPropertyOptional({
    type: String,
    example: '012 345 678',
    description: 'Stored in E.164 (+85512345678); local numbers are read as Cambodian',
    nullable: true,
  })
  @IsOptional()
  @IsString()
  @IsPhone()
  phone?: string | null;

  @ApiPropertyOptional({ type: String, example: '12 Street 271, Phnom Penh', nullable: true })
  @IsOptional()
  @Transform(trim)
  @IsString()
  @MaxLength(500)
  address?: string | null;

  @ApiPropertyOptional({ type: String, example: '1988-04-13', format: 'date', nullable: true })
  @IsOptional()
  @IsCalendarDate()
  birthday?: string | null;

  @ApiPropertyOptional({
    enum: LANGUAGES,
    description: 'Language of every email; defaults to DEFAULT_LANGUAGE',
  })
  @IsOptionalNotNull()
  @IsIn(LANGUAGES)
  language?: Language;
}

export class CreateCustomerDto extends CustomerFieldsDto {
  @ApiProperty({ format: 'uuid', description: 'A rooftop granted to you' })
  @IsUUID('all')
  homeRooftopId: string;

  @ApiPropertyOptional({ type: String, format: 'uuid', description: 'An active user', nullable: true })
  @IsOptional()
  @IsUUID('all')
  assignedSalespersonId?: string | null;
  @ApiPropertyOptional({
    enum: CHANNELS,
    nullable: true,
    description: "The channel tried first for this customer (null: the rooftop's channel order)",
  })
  @IsOptional()
  @IsIn(CHANNELS)
  preferredChannel?: Channel | null;
}

/** PATCH: only the fields sent change; `null` clears an optional field. */
export class UpdateCustomerDto {
  @ApiPropertyOptional({ type: String, example: 'DMS-100234', nullable: true })
  @IsOptional()
  @Transform(trim)
  @IsString()
  @MinLength(1)
  @MaxLength(100)
  externalId?: string | null;

  @ApiPropertyOptional({ example: 'Dara' })
  @IsOptionalNotNull()
  @Transform(trim)
  @IsString()
  @MinLength(1)
  @MaxLength(100)
  firstName?: string;

  @ApiPropertyOptional({ example: 'Sok' })
  @IsOptionalNotNull()
  @Transform(trim)
  @IsString()
  @MaxLength(100)
  lastName?: string;

  @ApiPropertyOptional({ type: String, format: 'email', example: 'dara.sok@example.com', nullable: true })
  @IsOptional()
  @Transform(trim)
  @IsEmail()
  @MaxLength(254)
  email?: string | null;

  @ApiPropertyOptional({ type: String, example: '+85512345678', nullable: true })
  @IsOptional()
  @IsString()
  @IsPhone()
  phone?: string | null;

  @ApiPropertyOptional({ type: String, example: '12 Street 271, Phnom Penh', nullable: true })
  @IsOptional()
  @Transform(trim)
  @IsString()
  @MaxLength(500)
  address?: string | null;

  @ApiPropertyOptional({ type: String, example: '1988-04-13', format: 'date', nullable: true })
  @IsOptional()
  @IsCalendarDate()
  birthday?: string | null;

  @ApiPropertyOptional({ enum: LANGUAGES })
  @IsOptionalNotNull()
  @IsIn(LANGUAGES)
  language?: Language;

  @ApiPropertyOptional({ format: 'uuid' })
  @IsOptionalNotNull()
  @IsUUID('all')
  homeRooftopId?: string;

  @ApiPropertyOptional({ type: String, format: 'uuid', nullable: true })
  @IsOptional()
  @IsUUID('all')
  assignedSalespersonId?: string | null;
  @ApiPropertyOptional({
    enum: CHANNELS,
    nullable: true,
    description: "The channel tried first for this customer (null: the rooftop's channel order)",
  })
  @IsOptional()
  @IsIn(CHANNELS)
  preferredChannel?: Channel | null;
}

export class ListCustomersQueryDto extends PageQueryDto {
  @ApiPropertyOptional({
    example: 'dara',
    description: 'Searches name, email, phone and VIN (substring, case-insensitive)',
  })
  @IsOptional()
  @IsString()
  @MinLength(1)
  @MaxLength(100)
  q?: string;

  @ApiPropertyOptional({ format: 'uuid' })
  @IsOptional()
  @IsUUID('all')
  rooftopId?: string;

  @ApiPropertyOptional({ format: 'uuid' })
  @IsOptional()
  @IsUUID('all')
  salespersonId?: string;
}

export class CustomerDto {
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiProperty({ format: 'uuid' }) homeRooftopId: string;
  @ApiProperty({ nullable: true, type: String }) externalId: string | null;
  @ApiProperty({ example: 'Dara' }) firstName: string;
  @ApiProperty({ example: 'Sok' }) lastName: string;
  @ApiProperty({ nullable: true, type: String, format: 'email' }) email: string | null;
  @ApiProperty({ nullable: true, type: String, example: '+85512345678' }) phone: string | null;
  @ApiProperty({ nullable: true, type: String }) address: string | null;
  @ApiProperty({ nullable: true, type: String, format: 'date' }) birthday: string | null;
  @ApiProperty({ enum: LANGUAGES }) language: Language;
  @ApiProperty({ nullable: true, type: String, format: 'uuid' }) assignedSalespersonId: string | null;
  @ApiProperty() emailBouncing: boolean;
  @ApiProperty({ nullable: true, enum: CHANNELS }) preferredChannel: Channel | null;
  @ApiProperty({
    nullable: true,
    type: String,
    format: 'date-time',
    description: 'When the Telegram chat was linked',
  })
  telegramLinkedAt: Date | null;
  @ApiProperty({
    nullable: true,
    type: String,
    format: 'date-time',
    description: 'Telegram answered 403 (bot blocked)',
  })
  telegramBlockedAt: Date | null;
  @ApiProperty({
    nullable: true,
    type: String,
    format: 'date-time',
    description: 'An SMS came back undeliverable',
  })
  phoneUndeliverableAt: Date | null;
  @ApiProperty({ nullable: true, type: String, format: 'date-time' }) erasedAt: Date | null;
  @ApiProperty({ description: 'Send it back in If-Match to update' }) version: number;
  @ApiProperty() createdAt: Date;
  @ApiProperty() updatedAt: Date;
}
