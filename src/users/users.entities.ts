import { User } from './user.entity';

/** This module's entities; the composition root (src/app.entities.ts) collects them. */
export const USERS_ENTITIES: Function[] = [User];
