import { INestApplicationContext, RequestMethod } from '@nestjs/common';
import { METHOD_METADATA, PATH_METADATA } from '@nestjs/common/constants';
import { ModulesContainer } from '@nestjs/core';
import { IS_PUBLIC, ROLES_KEY } from '../../auth/decorators';
import type { Role } from '../../users/user.entity';

export interface RouteInfo {
  method: string;
  /** Full path with the global prefix, parameters as `{name}` (OpenAPI style). */
  path: string;
  public: boolean;
  /** null = every authenticated role. */
  roles: Role[] | null;
  controller: string;
  handler: string;
  /** Body media types the handler reads (its `@ApiConsumes`), JSON when it declares none. */
  consumes: string[];
}

/** The metadata key of `@ApiConsumes` in @nestjs/swagger. */
const API_CONSUMES = 'swagger/apiConsumes';

const join = (...parts: string[]) =>
  (
    '/' +
    parts
      .map((p) => p.replace(/^\/+|\/+$/g, ''))
      .filter(Boolean)
      .join('/')
  ).replace(/:(\w+)/g, '{$1}');

/**
 * Every HTTP route with its access rules, read from the controllers' metadata. Used to mark public
 * operations in the OpenAPI document and by the access-matrix tests (a new route cannot go unchecked).
 */
export function routeTable(app: INestApplicationContext, prefix = 'api/v1'): RouteInfo[] {
  const routes: RouteInfo[] = [];
  for (const module of app.get(ModulesContainer).values()) {
    for (const wrapper of module.controllers.values()) {
      const cls = wrapper.metatype as (new (...args: unknown[]) => unknown) | null;
      if (!cls) continue;
      const base = (Reflect.getMetadata(PATH_METADATA, cls) as string | undefined) ?? '';
      for (const name of Object.getOwnPropertyNames(cls.prototype)) {
        const handler = (cls.prototype as Record<string, unknown>)[name];
        if (name === 'constructor' || typeof handler !== 'function') continue;
        const method = Reflect.getMetadata(METHOD_METADATA, handler) as RequestMethod | undefined;
        const sub = Reflect.getMetadata(PATH_METADATA, handler) as string | string[] | undefined;
        if (method === undefined || sub === undefined) continue;
        const isPublic = Boolean(
          Reflect.getMetadata(IS_PUBLIC, handler) ?? Reflect.getMetadata(IS_PUBLIC, cls),
        );
        const roles = (Reflect.getMetadata(ROLES_KEY, handler) ??
          Reflect.getMetadata(ROLES_KEY, cls) ??
          null) as Role[] | null;
        const consumes = (Reflect.getMetadata(API_CONSUMES, handler) ??
          Reflect.getMetadata(API_CONSUMES, cls) ?? ['application/json']) as string[];
        for (const p of Array.isArray(sub) ? sub : [sub]) {
          routes.push({
            method: RequestMethod[method],
            path: join(prefix, base, p),
            public: isPublic,
            roles,
            controller: cls.name,
            handler: name,
            consumes,
          });
        }
      }
    }
  }
  return routes.sort((a, b) => a.path.localeCompare(b.path) || a.method.localeCompare(b.method));
}
