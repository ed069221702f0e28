import { Foundation1764000000000 } from './1764000000000-foundation';

/** Every migration in order. Migrations are never edited after they land; add a new one instead. */
export const MIGRATIONS: Function[] = [Foundation1764000000000];
