/**
 * Who is asking: the identity every semantic query, policy check and audit record carries.
 * Built at the edge (server auth, CLI `--as`) from the IdP's claims; inside, it is trusted.
 *
 * Policies read `roles` (Cube's groups) and `attributes` (through `{ securityContext.x }` or
 * `{ userAttributes.x }` in row filters).
 *
 * @example
 * const ctx: SecurityContext = { userId: 'dr.lee', roles: ['clinician'], attributes: { organization_id: 'org-1' } };
 */
export interface SecurityContext {
  userId: string;
  roles: string[];
  attributes: Record<string, unknown>;
}

/**
 * The value of a `securityContext.x` / `userAttributes.x` path: `userId` and `roles` come from
 * the context itself, everything else from `attributes` (dotted paths walk nested objects).
 */
export function securityValue(ctx: SecurityContext, path: string): unknown {
  if (path === 'userId' && !('userId' in ctx.attributes)) return ctx.userId;
  if ((path === 'roles' || path === 'groups') && !(path in ctx.attributes)) return ctx.roles;
  let value: unknown = ctx.attributes;
  for (const part of path.split('.')) {
    if (value === null || typeof value !== 'object' || Array.isArray(value)) return undefined;
    value = (value as Record<string, unknown>)[part];
  }
  return value;
}
