import { HttpStatus, INestApplicationContext, ParseUUIDPipe, RequestMethod } from '@nestjs/common';
import {
  HTTP_CODE_METADATA,
  METHOD_METADATA,
  PATH_METADATA,
  ROUTE_ARGS_METADATA,
} from '@nestjs/common/constants';
import { RouteParamtypes } from '@nestjs/common/enums/route-paramtypes.enum';
import { ModulesContainer } from '@nestjs/core';
import { IS_PUBLIC, ROLES_KEY } from './route-metadata';
import { readIfMatchVersion } from './if-match';

export interface RouteInfo {
  method: string;
  /** Full path with the global prefix, parameters as `{name}` (OpenAPI style). */
  path: string;
  public: boolean;
  /** The roles its @Roles(…) names; null = every authenticated role. */
  roles: string[] | null;
  controller: string;
  handler: string;
  /** Body media types the handler reads (its `@ApiConsumes`), JSON when it declares none. */
  consumes: string[];
  /** The status of a success: its `@HttpCode`, else Nest's default (201 for POST, 200 otherwise). */
  status: number;
  /** The handler reads `@IfMatchVersion()`: 428 without If-Match, 412 when it is stale. */
  ifMatch: boolean;
  /** Path parameters parsed with ParseUUIDPipe (anything else is a 400). */
  uuidParams: string[];
}

/** A handler argument as Nest records it (`@Param('id', pipe)`, or a custom decorator's factory). */
interface RouteArg {
  data?: unknown;
  pipes?: unknown[];
  factory?: unknown;
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
 * Routes served outside the API prefix (app.factory excludes them from it): the short links of SMS texts, where
 * every character counts.
 */
export const UNPREFIXED_ROUTES: { path: string; method: RequestMethod }[] = [
  { path: 'l/:code', method: RequestMethod.GET },
];

const unprefixed = (method: RequestMethod, path: string) =>
  UNPREFIXED_ROUTES.some((r) => r.method === method && join(r.path) === path);

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
          null) as string[] | null;
        const consumes = (Reflect.getMetadata(API_CONSUMES, handler) ??
          Reflect.getMetadata(API_CONSUMES, cls) ?? ['application/json']) as string[];
        const args = Object.entries(
          (Reflect.getMetadata(ROUTE_ARGS_METADATA, cls, name) ?? {}) as Record<string, RouteArg>,
        );
        const ifMatch = args.some(([, a]) => a.factory === readIfMatchVersion);
        const uuidParams = args
          .filter(
            ([key, a]) =>
              key.startsWith(`${RouteParamtypes.PARAM}:`) &&
              a.pipes?.some((pipe) => pipe instanceof ParseUUIDPipe),
          )
          .map(([, a]) => String(a.data));
        const status =
          (Reflect.getMetadata(HTTP_CODE_METADATA, handler) as number | undefined) ??
          (method === RequestMethod.POST ? HttpStatus.CREATED : HttpStatus.OK);
        for (const p of Array.isArray(sub) ? sub : [sub]) {
          routes.push({
            method: RequestMethod[method],
            path: unprefixed(method, join(base, p)) ? join(base, p) : join(prefix, base, p),
            public: isPublic,
            roles,
            controller: cls.name,
            handler: name,
            consumes,
            status,
            ifMatch,
            uuidParams,
          });
        }
      }
    }
  }
  return routes.sort((a, b) => a.path.localeCompare(b.path) || a.method.localeCompare(b.method));
}
