import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsString, IsUUID, MaxLength, MinLength } from 'class-validator';

export class CreateApiKeyDto {
  @ApiProperty({ example: 'DMS nightly import' })
  @IsString()
  @MinLength(1)
  @MaxLength(100)
  name: string;

  @ApiProperty({ description: 'The user the key acts as (its role and rooftops apply)', format: 'uuid' })
  @IsUUID()
  userId: string;
}

export class ApiKeyDto {
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiProperty() name: string;
  @ApiProperty({ format: 'uuid' }) userId: string;
  @ApiProperty({ example: 'crm_AbCd', description: 'First characters, to recognise the key' }) prefix: string;
  @ApiProperty() createdAt: Date;
  @ApiPropertyOptional({ nullable: true, type: String }) lastUsedAt: Date | null;
  @ApiPropertyOptional({ nullable: true, type: String }) revokedAt: Date | null;
}

export class CreatedApiKeyDto extends ApiKeyDto {
  @ApiProperty({ description: 'The key itself. Shown only in this response; store it now.' }) key: string;
}
