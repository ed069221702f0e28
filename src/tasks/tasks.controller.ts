import { Body, Controller, Get, HttpCode, Param, Post, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { AuthUser } from '../auth/auth-user';
import { CurrentUser } from '../auth/decorators';
import {
  CompleteTaskDto,
  CreateTaskDto,
  ListTasksQueryDto,
  ReassignTaskDto,
  SnoozeTaskDto,
  TaskDto,
  TaskIdParam,
  TaskPageDto,
} from './dto/task.dto';
import { TasksService } from './tasks.service';

@ApiTags('tasks')
@ApiBearerAuth()
@Controller('tasks')
export class TasksController {
  constructor(private readonly tasks: TasksService) {}

  @Get()
  @ApiOperation({ summary: 'My tasks (default) or, for managers and admins, anyone’s in their rooftops' })
  @ApiOkResponse({ type: TaskPageDto })
  list(@Query() query: ListTasksQueryDto, @CurrentUser() user: AuthUser) {
    return this.tasks.list(user, query);
  }

  @Post()
  @ApiOperation({ summary: 'Create a manual task about a customer' })
  @ApiOkResponse({ type: TaskDto })
  create(@Body() dto: CreateTaskDto, @CurrentUser() user: AuthUser) {
    return this.tasks.create(dto, user);
  }

  @Get(':id')
  @ApiOkResponse({ type: TaskDto })
  get(@Param() params: TaskIdParam, @CurrentUser() user: AuthUser) {
    return this.tasks.get(params.id, user);
  }

  @Post(':id/complete')
  @HttpCode(200)
  @ApiOperation({ summary: 'Complete a task with its outcome; logged on the customer’s timeline' })
  @ApiOkResponse({ type: TaskDto })
  complete(@Param() params: TaskIdParam, @Body() dto: CompleteTaskDto, @CurrentUser() user: AuthUser) {
    return this.tasks.complete(params.id, dto.outcome, user);
  }

  @Post(':id/snooze')
  @HttpCode(200)
  @ApiOkResponse({ type: TaskDto })
  snooze(@Param() params: TaskIdParam, @Body() dto: SnoozeTaskDto, @CurrentUser() user: AuthUser) {
    return this.tasks.snooze(params.id, new Date(dto.until), user);
  }

  @Post(':id/reassign')
  @HttpCode(200)
  @ApiOperation({ summary: 'Reassign a task (managers and admins)' })
  @ApiOkResponse({ type: TaskDto })
  reassign(@Param() params: TaskIdParam, @Body() dto: ReassignTaskDto, @CurrentUser() user: AuthUser) {
    return this.tasks.reassign(params.id, dto.assigneeId, user);
  }
}
