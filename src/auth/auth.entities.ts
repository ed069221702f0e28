import { ApiKey } from './api-key.entity';

/** This module's entities; the composition root (src/app.entities.ts) collects them. */
export const AUTH_ENTITIES: Function[] = [ApiKey];
