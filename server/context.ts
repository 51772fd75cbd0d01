import type { Identity } from './auth/identity.ts';

declare module 'hono' {
  interface ContextVariableMap {
    requestId: string;
    identity: Identity;
  }
}
