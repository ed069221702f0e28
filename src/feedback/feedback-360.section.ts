import { Injectable, OnModuleInit } from '@nestjs/common';
import { Customer360Context, Customer360Service } from '../customers/customer-360.service';
import { FeedbackService } from './feedback.service';

/** Adds surveys, tasks and complaints to the customer 360 (and so to the timeline a salesperson reads). */
@Injectable()
export class Feedback360Section implements OnModuleInit {
  constructor(
    private readonly c360: Customer360Service,
    private readonly feedback: FeedbackService,
  ) {}

  onModuleInit() {
    // One query set per 360 request, shared by the three sections.
    const loaded = new WeakMap<Customer360Context, ReturnType<FeedbackService['sectionsFor360']>>();
    const load = (ctx: Customer360Context) => {
      let sections = loaded.get(ctx);
      if (!sections) loaded.set(ctx, (sections = this.feedback.sectionsFor360(ctx.customer.id)));
      return sections;
    };
    this.c360.registerSection('surveys', async (ctx) => (await load(ctx)).surveys);
    this.c360.registerSection('tasks', async (ctx) => (await load(ctx)).tasks);
    this.c360.registerSection('complaints', async (ctx) => (await load(ctx)).complaints);
  }
}
