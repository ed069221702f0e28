import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import {
  ArrayMaxSize,
  IsArray,
  IsIn,
  IsISO8601,
  IsString,
  Matches,
  MaxLength,
  ValidateIf,
} from 'class-validator';
import { IsOptionalNotNull } from '../../common/http/validators';

export class BookingTokenParam {
  @ApiProperty({ description: 'The signed token of the booking link in an email' })
  @IsString()
  @MaxLength(2048)
  token: string;
}

const BOOKING_ACTIONS = ['book', 'reschedule', 'cancel'] as const;
export type BookingAction = (typeof BOOKING_ACTIONS)[number];

/** A form posts one value as a string and several as an array; JSON clients send an array. */
const toArray = ({ value }: { value: unknown }) => (typeof value === 'string' ? [value] : value);
const emptyToUndefined = ({ value }: { value: unknown }) => (value === '' ? undefined : value);

export class BookingActionDto {
  @ApiProperty({ enum: BOOKING_ACTIONS, example: 'book' })
  @IsIn(BOOKING_ACTIONS)
  action: BookingAction;

  @ApiPropertyOptional({ example: '2026-06-16T02:00:00.000Z', description: 'A free slot (book, reschedule)' })
  @ValidateIf((o: BookingActionDto) => o.action !== 'cancel' || o.slotStart !== undefined)
  @IsISO8601({ strict: true }, { message: 'slotStart must be the start of a free slot' })
  slotStart?: string;

  @ApiPropertyOptional({ type: [String], example: ['OIL_CHANGE'] })
  @IsOptionalNotNull()
  @Transform(toArray)
  @IsArray()
  @ArrayMaxSize(30)
  @Matches(/^[A-Z][A-Z0-9_]{1,40}$/, { each: true, message: 'itemCodes must be catalogue codes' })
  itemCodes?: string[];

  @ApiPropertyOptional({ example: 'Please check the air conditioning' })
  @IsOptionalNotNull()
  @Transform(emptyToUndefined)
  @IsString()
  @MaxLength(1000)
  note?: string;
}
