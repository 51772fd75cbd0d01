import type { Identity } from './auth/identity.ts';

declare module 'hono' {
  interface ContextVariableMap {
    requestId: string;
    /** performance.now() when the request arrived. */
    requestStarted: number;
    identity: Identity;
  }
}
