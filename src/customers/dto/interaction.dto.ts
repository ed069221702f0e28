import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsISO8601, IsOptional, IsString, MaxLength, MinLength } from 'class-validator';
import {
  INTERACTION_DIRECTIONS,
  INTERACTION_KINDS,
  type InteractionDirection,
  type InteractionKind,
} from '../interaction.entity';

export class CreateInteractionDto {
  @ApiProperty({ enum: INTERACTION_KINDS, example: 'call' })
  @IsIn(INTERACTION_KINDS)
  kind: InteractionKind;

  @ApiPropertyOptional({ enum: INTERACTION_DIRECTIONS, example: 'outbound', nullable: true })
  @IsOptional()
  @IsIn(INTERACTION_DIRECTIONS)
  direction?: InteractionDirection | null;

  @ApiProperty({ example: 'Called about the 10,000 km service; booked for Monday.' })
  @IsString()
  @MinLength(1)
  @MaxLength(4000)
  summary: string;

  @ApiProperty({ example: '2026-06-14T09:30:00Z', format: 'date-time' })
  @IsISO8601({ strict: true })
  occurredAt: string;
}
