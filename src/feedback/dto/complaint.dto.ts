import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import {
  IsBoolean,
  IsIn,
  IsInt,
  IsNotEmpty,
  IsOptional,
  IsString,
  IsUUID,
  Max,
  MaxLength,
  Min,
} from 'class-validator';
import { PageQueryDto } from '../../common/http/pagination';
import { IsOptionalNotNull } from '../../common/http/validators';
import {
  COMPLAINT_SEVERITIES,
  COMPLAINT_SOURCES,
  COMPLAINT_STATES,
  type ComplaintSeverity,
  type ComplaintSource,
  type ComplaintState,
} from '../complaint-case.entity';

const STAFF_SOURCES = COMPLAINT_SOURCES.filter((s) => s !== 'survey');

export class OpenComplaintDto {
  @ApiProperty({ format: 'uuid', example: '1f8c7d6e-1111-4a53-9c55-0f8b0c4b2d11' })
  @IsUUID()
  customerId: string;

  @ApiProperty({ enum: STAFF_SOURCES, example: 'call' })
  @IsIn(STAFF_SOURCES)
  source: Exclude<ComplaintSource, 'survey'>;

  @ApiPropertyOptional({ enum: COMPLAINT_SEVERITIES, default: 'medium' })
  @IsOptionalNotNull()
  @IsIn(COMPLAINT_SEVERITIES)
  severity?: ComplaintSeverity;

  @ApiProperty({ example: 'Car returned with a scratch on the rear bumper', maxLength: 500 })
  @IsString()
  @IsNotEmpty()
  @MaxLength(500)
  summary: string;

  @ApiPropertyOptional({
    description: 'Default: the rooftop’s first manager',
    format: 'uuid',
    example: '5b0f1c9e-8a2d-4a53-9c55-0f8b0c4b2d11',
  })
  @IsOptionalNotNull()
  @IsUUID()
  ownerId?: string;
}

export class ResolveComplaintDto {
  @ApiProperty({ example: 'Bumper repainted free of charge; customer satisfied', maxLength: 2000 })
  @IsString()
  @IsNotEmpty()
  @MaxLength(2000)
  resolution: string;

  @ApiPropertyOptional({ default: false })
  @IsOptionalNotNull()
  @IsBoolean()
  apologySent?: boolean;

  @ApiPropertyOptional({
    type: 'integer',
    minimum: 0,
    maximum: 100000,
    example: 500,
    description: 'Goodwill loyalty points credited to the customer',
  })
  @IsOptionalNotNull()
  @IsInt()
  @Min(0)
  @Max(100000)
  goodwillPoints?: number;
}

export class ReopenComplaintDto {
  @ApiProperty({ example: 'Customer called again: the scratch is still visible', maxLength: 2000 })
  @IsString()
  @IsNotEmpty()
  @MaxLength(2000)
  reason: string;
}

export class ComplaintNoteDto {
  @ApiProperty({ example: 'Called the customer, apologised, booked the car in for Friday', maxLength: 4000 })
  @IsString()
  @IsNotEmpty()
  @MaxLength(4000)
  body: string;
}

export class ComplaintIdParam {
  @ApiProperty()
  @IsUUID()
  id: string;
}

export class ListComplaintsQueryDto extends PageQueryDto {
  @ApiPropertyOptional({ enum: COMPLAINT_STATES })
  @IsOptional()
  @IsIn(COMPLAINT_STATES)
  state?: ComplaintState;
  @ApiPropertyOptional({ description: 'Only cases with a breached deadline' })
  @IsOptional()
  @Transform(({ value }) => (value === 'true' ? true : value === 'false' ? false : value))
  @IsBoolean()
  breached?: boolean;
  @ApiPropertyOptional() @IsOptional() @IsUUID() ownerId?: string;
  @ApiPropertyOptional() @IsOptional() @IsUUID() customerId?: string;
  @ApiPropertyOptional() @IsOptional() @IsUUID() rooftopId?: string;
}

export class ComplaintNoteViewDto {
  @ApiProperty() id: string;
  @ApiPropertyOptional({ type: String, format: 'uuid', nullable: true }) authorId: string | null;
  @ApiProperty() body: string;
  @ApiProperty() createdAt: string;
}

export class ComplaintDto {
  @ApiProperty() id: string;
  @ApiProperty() rooftopId: string;
  @ApiProperty() customerId: string;
  @ApiPropertyOptional({ type: String, format: 'uuid', nullable: true }) surveyId: string | null;
  @ApiProperty({ enum: COMPLAINT_SOURCES }) source: ComplaintSource;
  @ApiProperty({ enum: COMPLAINT_SEVERITIES }) severity: ComplaintSeverity;
  @ApiProperty() summary: string;
  @ApiPropertyOptional({ type: String, format: 'uuid', nullable: true }) ownerId: string | null;
  @ApiProperty({ enum: COMPLAINT_STATES }) state: ComplaintState;
  @ApiProperty() openedAt: string;
  @ApiProperty() firstResponseDueAt: string;
  @ApiProperty() resolutionDueAt: string;
  @ApiPropertyOptional({ type: String, format: 'date-time', nullable: true }) acknowledgedAt: string | null;
  @ApiPropertyOptional({ type: String, format: 'date-time', nullable: true }) resolvedAt: string | null;
  @ApiPropertyOptional({ type: String, format: 'date-time', nullable: true }) closedAt: string | null;
  @ApiPropertyOptional({ type: String, nullable: true }) resolution: string | null;
  @ApiProperty() apologySent: boolean;
  @ApiProperty() goodwillPoints: number;
  @ApiProperty() breachedFirstResponse: boolean;
  @ApiProperty() breachedResolution: boolean;
  @ApiProperty() version: number;
  @ApiPropertyOptional({ type: [ComplaintNoteViewDto] }) notes?: ComplaintNoteViewDto[];
}
