import type { EmbedClaims } from './auth/embed-tokens.ts';
import type { Identity } from './auth/identity.ts';

declare module 'hono' {
  interface ContextVariableMap {
    requestId: string;
    identity: Identity;
    /** Set on embed requests: what the embed token grants. */
    embed: EmbedClaims;
  }
}
