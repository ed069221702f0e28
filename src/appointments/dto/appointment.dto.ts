import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import {
  ArrayMaxSize,
  IsArray,
  IsIn,
  IsInt,
  IsISO8601,
  IsOptional,
  IsString,
  IsUUID,
  Matches,
  Max,
  MaxLength,
  Min,
  MinLength,
} from 'class-validator';
import { PageQueryDto } from '../../common/http/pagination';
import { IsOptionalNotNull } from '../../common/http/validators';
import { APPOINTMENT_SOURCES, APPOINTMENT_STATES } from '../appointment.entity';
import type { AppointmentSource, AppointmentState } from '../appointment.entity';

const ITEM_CODE = /^[A-Z][A-Z0-9_]{1,40}$/;

export class AppointmentIdParam {
  @ApiProperty({ format: 'uuid' })
  @IsUUID()
  id: string;
}

export class BookAppointmentDto {
  @ApiProperty({ format: 'uuid' })
  @IsUUID()
  rooftopId: string;

  @ApiProperty({ format: 'uuid' })
  @IsUUID()
  customerId: string;

  @ApiPropertyOptional({ format: 'uuid', description: 'A vehicle the customer owns' })
  @IsOptionalNotNull()
  @IsUUID()
  vehicleId?: string;

  @ApiPropertyOptional({ format: 'uuid', description: 'The service advisor who will receive the customer' })
  @IsOptionalNotNull()
  @IsUUID()
  advisorId?: string;

  @ApiProperty({
    example: '2026-06-15T02:00:00Z',
    description: 'The start of a free slot (see availability)',
  })
  @IsISO8601({ strict: true })
  slotStart: string;

  @ApiPropertyOptional({
    type: [String],
    example: ['OIL_CHANGE'],
    description: 'Maintenance item codes to do',
  })
  @IsOptionalNotNull()
  @IsArray()
  @ArrayMaxSize(30)
  @Matches(ITEM_CODE, { each: true, message: 'itemCodes must be catalogue codes such as OIL_CHANGE' })
  itemCodes?: string[];

  @ApiPropertyOptional({ example: 'Noise from the front left wheel' })
  @IsOptionalNotNull()
  @IsString()
  @MaxLength(1000)
  note?: string;

  @ApiPropertyOptional({ enum: ['phone', 'walk_in', 'staff'], default: 'phone' })
  @IsOptionalNotNull()
  @IsIn(['phone', 'walk_in', 'staff'])
  source?: Exclude<AppointmentSource, 'online'>;
}

export class RescheduleAppointmentDto {
  @ApiProperty({ example: '2026-06-16T02:00:00Z', description: 'The start of another free slot' })
  @IsISO8601({ strict: true })
  slotStart: string;
}

export class CancelAppointmentDto {
  @ApiProperty({ example: 'Customer travelling' })
  @IsString()
  @MinLength(1)
  @MaxLength(500)
  reason: string;
}

export class CheckInAppointmentDto {
  @ApiProperty({ example: 'RO-10442', description: 'Repair-order number of the visit this opens' })
  @IsString()
  @MinLength(1)
  @MaxLength(50)
  roNumber: string;

  @ApiProperty({ type: 'integer', example: 45210, description: 'Odometer at check-in' })
  @IsInt()
  @Min(0)
  @Max(3_000_000)
  odometer: number;
}

export class ListAppointmentsQueryDto extends PageQueryDto {
  @ApiPropertyOptional({ format: 'uuid' })
  @IsOptional()
  @IsUUID()
  rooftopId?: string;

  @ApiPropertyOptional({
    example: '2026-06-15',
    description: "A local day in the rooftop's zone (needs rooftopId)",
  })
  @IsOptional()
  @Matches(/^\d{4}-\d{2}-\d{2}$/, { message: 'date must be a date YYYY-MM-DD' })
  @IsISO8601({ strict: true }, { message: 'date must be a date YYYY-MM-DD' })
  date?: string;

  @ApiPropertyOptional({ format: 'uuid' })
  @IsOptional()
  @IsUUID()
  advisorId?: string;

  @ApiPropertyOptional({ format: 'uuid' })
  @IsOptional()
  @IsUUID()
  customerId?: string;

  @ApiPropertyOptional({ enum: APPOINTMENT_STATES })
  @IsOptional()
  @IsIn(APPOINTMENT_STATES)
  state?: AppointmentState;
}

export class AppointmentDto {
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiProperty({ format: 'uuid' }) rooftopId: string;
  @ApiProperty({ format: 'uuid' }) customerId: string;
  @ApiProperty({ format: 'uuid', nullable: true, type: String }) vehicleId: string | null;
  @ApiProperty({ format: 'uuid', nullable: true, type: String }) advisorId: string | null;
  @ApiProperty() slotStart: Date;
  @ApiProperty() slotEnd: Date;
  @ApiProperty({ enum: APPOINTMENT_STATES }) state: AppointmentState;
  @ApiProperty({ type: [String] }) itemCodes: string[];
  @ApiProperty({ nullable: true, type: String }) note: string | null;
  @ApiProperty({ enum: APPOINTMENT_SOURCES }) source: AppointmentSource;
  @ApiProperty() language: string;
  @ApiProperty({ nullable: true, type: String }) originKind: string | null;
  @ApiProperty({ nullable: true, type: String }) cancelReason: string | null;
  @ApiProperty({ nullable: true, type: Date }) cancelledAt: Date | null;
  @ApiProperty({ nullable: true, type: Date }) checkedInAt: Date | null;
  @ApiProperty({ format: 'uuid', nullable: true, type: String }) serviceVisitId: string | null;
  @ApiProperty({ nullable: true, type: Date }) noShowAt: Date | null;
  @ApiProperty() version: number;
  @ApiProperty() createdAt: Date;
  @ApiProperty() updatedAt: Date;
}

export class AppointmentPageDto {
  @ApiProperty({ type: [AppointmentDto] }) items: AppointmentDto[];
  @ApiProperty({ nullable: true, type: String }) nextCursor: string | null;
}
