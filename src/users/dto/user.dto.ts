import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import {
  ArrayMaxSize,
  IsArray,
  IsBoolean,
  IsEmail,
  IsIn,
  IsString,
  IsUUID,
  MaxLength,
  MinLength,
} from 'class-validator';
import { IsOptionalNotNull } from '../../common/http/validators';
import { LANGUAGES, type Language } from '../../config/app-config';
import { ROLES, type Role } from '../../auth/roles';

export class CreateUserDto {
  @ApiProperty({ format: 'email', example: 'sok.dara@ppmotors.example' })
  @IsEmail()
  @MaxLength(254)
  email: string;

  @ApiProperty({ example: 'Sok Dara' })
  @IsString()
  @MinLength(1)
  @MaxLength(200)
  name: string;

  @ApiProperty({ enum: ROLES, example: 'salesperson' })
  @IsIn(ROLES)
  role: Role;

  @ApiProperty({ example: 'a-long-initial-password', minLength: 12 })
  @IsString()
  @MinLength(12)
  @MaxLength(200)
  password: string;

  @ApiProperty({ type: [String], format: 'uuid', description: 'Rooftops granted to the user' })
  @IsArray()
  @ArrayMaxSize(100)
  @IsUUID('all', { each: true })
  rooftopIds: string[];

  @ApiPropertyOptional({ enum: LANGUAGES, default: 'en' })
  @IsOptionalNotNull()
  @IsIn(LANGUAGES)
  language?: Language;
}

export class UpdateUserDto {
  @ApiPropertyOptional() @IsOptionalNotNull() @IsString() @MinLength(1) @MaxLength(200) name?: string;
  @ApiPropertyOptional({ enum: ROLES }) @IsOptionalNotNull() @IsIn(ROLES) role?: Role;
  @ApiPropertyOptional({ minLength: 12 })
  @IsOptionalNotNull()
  @IsString()
  @MinLength(12)
  @MaxLength(200)
  password?: string;
  @ApiPropertyOptional({ type: [String], format: 'uuid' })
  @IsOptionalNotNull()
  @IsArray()
  @ArrayMaxSize(100)
  @IsUUID('all', { each: true })
  rooftopIds?: string[];
  @ApiPropertyOptional({ enum: LANGUAGES }) @IsOptionalNotNull() @IsIn(LANGUAGES) language?: Language;
  @ApiPropertyOptional() @IsOptionalNotNull() @IsBoolean() active?: boolean;
}

export class UserDto {
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiProperty() email: string;
  @ApiProperty() name: string;
  @ApiProperty({ enum: ROLES }) role: Role;
  @ApiProperty({ enum: LANGUAGES }) language: Language;
  @ApiProperty() active: boolean;
  @ApiProperty({ type: [String] }) rooftopIds: string[];
  @ApiProperty() version: number;
  @ApiProperty() createdAt: Date;
}
