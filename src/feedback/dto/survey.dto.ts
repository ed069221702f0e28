import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { IsIn, IsInt, IsISO8601, IsOptional, IsString, IsUUID, Max, MaxLength, Min } from 'class-validator';
import { PageQueryDto } from '../../common/http/pagination';
import { SURVEY_KINDS, type SurveyKind } from '../survey.entity';

/** The HTML form posts strings; JSON clients send numbers. Both become integers here. */
const toInt = ({ value }: { value: unknown }) =>
  typeof value === 'string' && /^\d{1,3}$/.test(value.trim()) ? Number(value.trim()) : value;
const emptyToUndefined = ({ value }: { value: unknown }) => (value === '' ? undefined : value);

export class SurveyTokenParam {
  @ApiProperty({ description: 'The signed token from the invitation email' })
  @IsString()
  @MaxLength(2048)
  token: string;
}

export class AnswerSurveyDto {
  @ApiProperty({
    type: 'integer',
    minimum: 0,
    maximum: 10,
    example: 9,
    description: 'How likely to recommend us (0–10)',
  })
  @Transform(toInt)
  @IsInt()
  @Min(0)
  @Max(10)
  nps: number;

  @ApiProperty({
    type: 'integer',
    minimum: 1,
    maximum: 5,
    example: 5,
    description: 'Overall satisfaction (1–5)',
  })
  @Transform(toInt)
  @IsInt()
  @Min(1)
  @Max(5)
  csat: number;

  @ApiPropertyOptional({
    type: String,
    maxLength: 2000,
    example: 'Friendly staff, the car was ready on time.',
    nullable: true,
  })
  @IsOptional()
  @Transform(emptyToUndefined)
  @IsString()
  @MaxLength(2000)
  comment?: string | null;
}

export const NPS_CATEGORIES = ['promoter', 'passive', 'detractor'] as const;
export type NpsCategory = (typeof NPS_CATEGORIES)[number];

/** SPEC: promoter 9–10, passive 7–8, detractor 0–6. */
export function npsCategory(nps: number | null): NpsCategory | null {
  if (nps === null) return null;
  return nps >= 9 ? 'promoter' : nps >= 7 ? 'passive' : 'detractor';
}

export class FeedbackFilterDto extends PageQueryDto {
  @ApiPropertyOptional() @IsOptional() @IsUUID() rooftopId?: string;
  @ApiPropertyOptional({ description: 'Sale surveys of this salesperson' })
  @IsOptional()
  @IsUUID()
  salespersonId?: string;
  @ApiPropertyOptional({ description: 'Service surveys of this advisor' })
  @IsOptional()
  @IsUUID()
  advisorId?: string;
  @ApiPropertyOptional({ example: '2026-01-01T00:00:00Z', description: 'Inclusive' })
  @IsOptional()
  @IsISO8601({ strict: true })
  from?: string;
  @ApiPropertyOptional({ example: '2026-07-01T00:00:00Z', description: 'Exclusive' })
  @IsOptional()
  @IsISO8601({ strict: true })
  to?: string;
  @ApiPropertyOptional({ enum: NPS_CATEGORIES }) @IsOptional() @IsIn(NPS_CATEGORIES) category?: NpsCategory;
  @ApiPropertyOptional({ enum: SURVEY_KINDS }) @IsOptional() @IsIn(SURVEY_KINDS) kind?: SurveyKind;
}

export class FeedbackItemDto {
  @ApiProperty() id: string;
  @ApiProperty({ enum: SURVEY_KINDS }) kind: SurveyKind;
  @ApiProperty() rooftopId: string;
  @ApiProperty() customerId: string;
  @ApiPropertyOptional({ nullable: true }) vehicleId: string | null;
  @ApiPropertyOptional({ nullable: true }) serviceVisitId: string | null;
  @ApiPropertyOptional({ nullable: true }) salespersonId: string | null;
  @ApiPropertyOptional({ nullable: true }) advisorId: string | null;
  @ApiPropertyOptional({ nullable: true }) nps: number | null;
  @ApiPropertyOptional({ nullable: true }) csat: number | null;
  @ApiPropertyOptional({ enum: NPS_CATEGORIES, nullable: true }) category: NpsCategory | null;
  @ApiPropertyOptional({ nullable: true }) comment: string | null;
  @ApiProperty() issuedAt: string;
  @ApiPropertyOptional({ nullable: true }) answeredAt: string | null;
  @ApiProperty() expiresAt: string;
  @ApiProperty() language: string;
}

export class FeedbackSummaryDto {
  @ApiProperty({ description: 'Invitations issued in the period' }) invited: number;
  @ApiProperty({ description: 'Of those, answered' }) responses: number;
  @ApiPropertyOptional({ type: Number, nullable: true, description: 'responses / invited (0–1)' })
  responseRate: number | null;
  @ApiPropertyOptional({ type: Number, nullable: true, description: '%promoters − %detractors (−100…100)' })
  nps: number | null;
  @ApiProperty() promoters: number;
  @ApiProperty() passives: number;
  @ApiProperty() detractors: number;
  @ApiPropertyOptional({
    type: Number,
    nullable: true,
    description: 'Share of CSAT answers that are 4 or 5 (0–1)',
  })
  csat: number | null;
  @ApiProperty() csatResponses: number;
}
