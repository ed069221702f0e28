import { Module } from '@nestjs/common';
import { CustomersModule } from '../customers/customers.module';
import { TasksController } from './tasks.controller';
import { TasksErasureListener } from './tasks-erasure.listener';
import { TasksService } from './tasks.service';

/** Staff tasks: cadence calls, lease ends, win-backs, complaint breaches and manual to-dos. */
@Module({
  imports: [CustomersModule],
  controllers: [TasksController],
  providers: [TasksService, TasksErasureListener],
  exports: [TasksService],
})
export class TasksModule {}
