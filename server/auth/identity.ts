/** An authenticated caller, before policies: who, how, and what their claims map to. */
export interface Identity {
  userId: string;
  roles: string[];
  attributes: Record<string, unknown>;
  method: 'oidc' | 'dev' | 'apikey' | 'embed';
  /** Token id or session id, for idle tracking. */
  sessionId: string;
  /** Seconds since epoch the session began (the token's iat, or the key's creation). */
  issuedAt: number;
  /** API keys carry scopes; people carry none (their roles decide). */
  scopes?: string[];
}

/** The security context the semantic layer and the gate evaluate policies against. */
export function securityContextOf(identity: Identity): {
  userId: string;
  roles: string[];
  attributes: Record<string, unknown>;
} {
  return { userId: identity.userId, roles: identity.roles, attributes: identity.attributes };
}
