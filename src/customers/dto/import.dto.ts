import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsOptional, IsUUID } from 'class-validator';
import { PageQueryDto } from '../../common/http/pagination';

export class ImportCustomersQueryDto {
  @ApiProperty({ format: 'uuid', description: 'Home rooftop of the imported customers' })
  @IsUUID('all')
  rooftopId: string;

  @ApiPropertyOptional({
    format: 'uuid',
    description:
      'Optional id you choose, to watch progress at GET /customers/imports/{jobId} while uploading',
  })
  @IsOptional()
  @IsUUID('all')
  jobId?: string;
}

export class ExportCustomersQueryDto {
  @ApiPropertyOptional({
    format: 'uuid',
    description: 'Only this rooftop (default: every rooftop granted to you)',
  })
  @IsOptional()
  @IsUUID('all')
  rooftopId?: string;
}

export class ListImportsQueryDto extends PageQueryDto {
  @ApiPropertyOptional({ format: 'uuid' })
  @IsOptional()
  @IsUUID('all')
  rooftopId?: string;
}
