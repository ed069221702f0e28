import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import {
  IsBoolean,
  IsIn,
  IsISO8601,
  IsNotEmpty,
  IsOptional,
  IsString,
  IsUUID,
  MaxLength,
} from 'class-validator';
import { PageQueryDto } from '../../common/http/pagination';
import { IsOptionalNotNull } from '../../common/http/validators';
import { TASK_STATUSES, TASK_TYPES, type TaskStatus, type TaskType } from '../task.entity';

const toBool = ({ value }: { value: unknown }) =>
  value === 'true' ? true : value === 'false' ? false : value;

export class ListTasksQueryDto extends PageQueryDto {
  @ApiPropertyOptional({
    default: true,
    description:
      'Only my tasks (default). `false` lists everyone’s in your rooftops — managers and admins only.',
  })
  @IsOptional()
  @Transform(toBool)
  @IsBoolean()
  mine?: boolean;

  @ApiPropertyOptional({
    description: 'Tasks of this assignee (managers and admins; others only themselves)',
    example: '5b0f1c9e-8a2d-4a53-9c55-0f8b0c4b2d11',
  })
  @IsOptional()
  @IsUUID()
  assigneeId?: string;

  @ApiPropertyOptional({ enum: TASK_STATUSES, default: 'open' })
  @IsOptional()
  @IsIn(TASK_STATUSES)
  status?: TaskStatus;

  @ApiPropertyOptional({ enum: TASK_TYPES })
  @IsOptional()
  @IsIn(TASK_TYPES)
  type?: TaskType;

  @ApiPropertyOptional({
    enum: ['overdue', 'today'],
    description:
      'overdue: due before now; today: due today in the task rooftop’s time zone (snoozed tasks count from their snooze end)',
  })
  @IsOptional()
  @IsIn(['overdue', 'today'])
  due?: 'overdue' | 'today';

  @ApiPropertyOptional({ example: '1f8c7d6e-1111-4a53-9c55-0f8b0c4b2d11' })
  @IsOptional()
  @IsUUID()
  customerId?: string;
}

export class CreateTaskDto {
  @ApiProperty({ format: 'uuid', example: '1f8c7d6e-1111-4a53-9c55-0f8b0c4b2d11' })
  @IsUUID()
  customerId: string;

  @ApiPropertyOptional({
    type: String,
    format: 'uuid',
    example: '2a9c7d6e-2222-4a53-9c55-0f8b0c4b2d11',
    nullable: true,
  })
  @IsOptional()
  @IsUUID()
  vehicleId?: string | null;

  @ApiProperty({ example: 'Call back about the extended warranty offer', maxLength: 200 })
  @IsString()
  @IsNotEmpty()
  @MaxLength(200)
  title: string;

  @ApiProperty({ example: '2026-06-20T03:00:00Z' })
  @IsISO8601({ strict: true })
  dueAt: string;

  @ApiPropertyOptional({
    description: 'Default: yourself. Only managers and admins may assign to someone else.',
    format: 'uuid',
    example: '5b0f1c9e-8a2d-4a53-9c55-0f8b0c4b2d11',
  })
  @IsOptionalNotNull()
  @IsUUID()
  assigneeId?: string;
}

export class CompleteTaskDto {
  @ApiProperty({ example: 'Called; customer happy with the car, booked first service', maxLength: 2000 })
  @IsString()
  @IsNotEmpty()
  @MaxLength(2000)
  outcome: string;
}

export class SnoozeTaskDto {
  @ApiProperty({ example: '2026-06-18T02:00:00Z', description: 'Must be in the future' })
  @IsISO8601({ strict: true })
  until: string;
}

export class ReassignTaskDto {
  @ApiProperty({ format: 'uuid', example: '5b0f1c9e-8a2d-4a53-9c55-0f8b0c4b2d11' })
  @IsUUID()
  assigneeId: string;
}

export class TaskIdParam {
  @ApiProperty()
  @IsUUID()
  id: string;
}

export class TaskDto {
  @ApiProperty() id: string;
  @ApiProperty() rooftopId: string;
  @ApiProperty() customerId: string;
  @ApiPropertyOptional({ type: String, format: 'uuid', nullable: true }) vehicleId: string | null;
  @ApiPropertyOptional({ type: String, format: 'uuid', nullable: true }) complaintId: string | null;
  @ApiProperty({ enum: TASK_TYPES }) type: TaskType;
  @ApiProperty() title: string;
  @ApiProperty() assigneeId: string;
  @ApiProperty() dueAt: string;
  @ApiProperty({ enum: TASK_STATUSES }) status: TaskStatus;
  @ApiPropertyOptional({ type: String, nullable: true }) outcome: string | null;
  @ApiPropertyOptional({ type: String, format: 'date-time', nullable: true }) snoozedUntil: string | null;
  @ApiProperty() createdAt: string;
  @ApiPropertyOptional({ type: String, format: 'date-time', nullable: true }) completedAt: string | null;
  @ApiProperty() version: number;
}

export class TaskPageDto {
  @ApiProperty({ type: [TaskDto] }) items: TaskDto[];
  @ApiPropertyOptional({ type: String, nullable: true }) nextCursor: string | null;
}
