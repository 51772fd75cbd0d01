import type { EmbedClaims } from './auth/embed-tokens.ts';
import type { Identity } from './auth/identity.ts';

/**
 * What every request carries, set by the root app's first middleware. There is no global
 * `ContextVariableMap`: `identity` exists only in the context types below, which only a route's
 * guard (authentication, see area.ts) produces, so a handler without a guard cannot read it.
 */
export interface RequestVariables {
  requestId: string;
  /** performance.now() when the request arrived. */
  requestStarted: number;
}

/** The context of any request (public routes, global middleware, the error handler). */
export type ServerEnv = { Variables: RequestVariables };

/** The context after authentication: who is calling. */
export type SignedInEnv = { Variables: RequestVariables & { identity: Identity } };

/** The context after an embed token was checked: its viewer as identity, and what it grants. */
export type EmbedEnv = { Variables: RequestVariables & { identity: Identity; embed: EmbedClaims } };
