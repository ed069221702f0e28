import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsISO8601, IsOptional } from 'class-validator';

export class MaintenanceDueQueryDto {
  @ApiPropertyOptional({
    example: '2026-06-15T03:00:00Z',
    description: 'Instant to compute the due list for (default: now)',
  })
  @IsOptional()
  @IsISO8601({ strict: true })
  asOf?: string;
}
