/**
 * The roles of the SPEC's permission table. Auth owns them: the guard, the decorators and the principal
 * read them, and the users module stores one per user (app_user.role).
 */
export const ROLES = ['admin', 'manager', 'salesperson', 'service_advisor'] as const;
export type Role = (typeof ROLES)[number];
