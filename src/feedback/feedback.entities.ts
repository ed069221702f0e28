import { ComplaintCase, ComplaintNote } from './complaint-case.entity';
import { Survey } from './survey.entity';

/** This module's entities; the composition root (src/app.entities.ts) collects them. */
export const FEEDBACK_ENTITIES: Function[] = [Survey, ComplaintCase, ComplaintNote];
