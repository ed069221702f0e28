/**
 * Metadata keys a route carries: set by the auth module's @Public() and @Roles(…) decorators, read by
 * its guard and by the route table (OpenAPI, access matrix). Kept here so common/ reads them without
 * depending on auth/.
 */
export const IS_PUBLIC = 'auth:public';
export const ROLES_KEY = 'auth:roles';
