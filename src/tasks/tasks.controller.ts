import { Body, Controller, Get, HttpCode, Param, Post, Query } from '@nestjs/common';
import {
  ApiBearerAuth,
  ApiConflictResponse,
  ApiCreatedResponse,
  ApiForbiddenResponse,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiOperation,
  ApiTags,
  ApiUnprocessableEntityResponse,
} from '@nestjs/swagger';
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
  @ApiForbiddenResponse({ description: 'Only managers and admins may list other people’s tasks' })
  list(@Query() query: ListTasksQueryDto, @CurrentUser() user: AuthUser) {
    return this.tasks.list(user, query);
  }

  @Post()
  @ApiOperation({ summary: 'Create a manual task about a customer' })
  @ApiCreatedResponse({ type: TaskDto })
  @ApiForbiddenResponse({ description: 'Only managers and admins may assign a task to someone else' })
  @ApiNotFoundResponse({ description: 'customerId, vehicleId or assigneeId names a record you cannot see' })
  @ApiUnprocessableEntityResponse({
    description: 'The vehicle is not the customer’s, or the assignee is not an active user of the rooftop',
  })
  create(@Body() dto: CreateTaskDto, @CurrentUser() user: AuthUser) {
    return this.tasks.create(dto, user);
  }

  @Get(':id')
  @ApiOperation({ summary: 'Read a task' })
  @ApiOkResponse({ type: TaskDto })
  get(@Param() params: TaskIdParam, @CurrentUser() user: AuthUser) {
    return this.tasks.get(params.id, user);
  }

  @Post(':id/complete')
  @HttpCode(200)
  @ApiOperation({ summary: 'Complete a task with its outcome; logged on the customer’s timeline' })
  @ApiOkResponse({ type: TaskDto })
  @ApiForbiddenResponse({ description: 'You may only work on your own tasks (managers and admins on any)' })
  @ApiConflictResponse({ description: 'The task is already done' })
  complete(@Param() params: TaskIdParam, @Body() dto: CompleteTaskDto, @CurrentUser() user: AuthUser) {
    return this.tasks.complete(params.id, dto.outcome, user);
  }

  @Post(':id/snooze')
  @HttpCode(200)
  @ApiOperation({ summary: 'Snooze a task until a later time' })
  @ApiOkResponse({ type: TaskDto })
  @ApiForbiddenResponse({ description: 'You may only work on your own tasks (managers and admins on any)' })
  @ApiConflictResponse({ description: 'The task is already done' })
  @ApiUnprocessableEntityResponse({ description: '`until` is not in the future' })
  snooze(@Param() params: TaskIdParam, @Body() dto: SnoozeTaskDto, @CurrentUser() user: AuthUser) {
    return this.tasks.snooze(params.id, new Date(dto.until), user);
  }

  @Post(':id/reassign')
  @HttpCode(200)
  @ApiOperation({ summary: 'Reassign a task (managers and admins)' })
  @ApiOkResponse({ type: TaskDto })
  @ApiForbiddenResponse({ description: 'Only managers and admins may reassign tasks' })
  @ApiConflictResponse({ description: 'The task is already done' })
  @ApiUnprocessableEntityResponse({ description: 'The assignee is not an active user of the task’s rooftop' })
  reassign(@Param() params: TaskIdParam, @Body() dto: ReassignTaskDto, @CurrentUser() user: AuthUser) {
    return this.tasks.reassign(params.id, dto.assigneeId, user);
  }
}
