import { Module } from '@nestjs/common';
import { FeedbackModule } from '../feedback/feedback.module';
import { TasksModule } from '../tasks/tasks.module';
import { FollowUpsJob } from './follow-ups.job';
import { FollowUpsPlanner } from './follow-ups.planner';
import { FollowUpsService } from './follow-ups.service';

/** Follow-up cadences after sales and visits (SPEC "Follow-ups"): emails, call tasks, survey invitations. */
@Module({
  imports: [TasksModule, FeedbackModule],
  providers: [FollowUpsPlanner, FollowUpsService, FollowUpsJob],
  exports: [FollowUpsService],
})
export class FollowUpsModule {}
