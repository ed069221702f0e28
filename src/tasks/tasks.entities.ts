import { Task } from './task.entity';

/** This module's entities; the composition root (src/app.entities.ts) collects them. */
export const TASKS_ENTITIES: Function[] = [Task];
