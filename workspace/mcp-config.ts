import { z } from 'zod';
import { coverageIssues, ENDPOINT_NAME, llmEndpointSchema, type PhiLevel } from './llm-config.ts';

/**
 * One kind of MCP client (a desktop assistant, an IDE agent, an internal agent platform): an
 * outside application with its own model, so it carries the same terms as a model endpoint
 * (`phi`, `baa` or `on_prem`, `region`, `retention`, `training`, from the `llm.endpoints` schema)
 * plus the names it gives in the MCP handshake (`clientInfo.name`; `*` matches any client).
 * Lenient like an endpoint: missing terms load, so the doctor can name each gap; `checkMcpClient`
 * is what a client must pass before a result is released to it.
 */
export const mcpClientSchema = llmEndpointSchema
  .pick({ region: true, phi: true, baa: true, on_prem: true, retention: true, training: true })
  .extend({
    /** Handshake names of this kind (default: the kind's own key). `*` matches every client. */
    names: z.array(z.string().min(1).max(200)).min(1).optional(),
    /** What the client is, for the doctor's list of third parties ("Claude Desktop on analysts' laptops"). */
    description: z.string().min(1).max(300).optional(),
  })
  .strict();

export type McpClientConfig = z.infer<typeof mcpClientSchema>;

/**
 * analyst.yaml → `mcp`: the MCP server (`analyst mcp`, `POST /mcp` on `analyst serve`) and the
 * client kinds allowed to use it. Without a `clients` list every client is allowed at `phi: none`
 * (results pass the PHI boundary: Safe Harbor transforms, identifiers replaced, small cells
 * suppressed); with one, a client whose handshake name matches no kind is refused.
 *
 * @example
 * mcp:
 *   clients:
 *     claude-desktop: { names: [claude-ai], phi: none }
 *     agents: { names: [acme-agents], phi: allowed, on_prem: true, region: "us-east (our DC)",
 *               retention: zero, training: none }
 */
export const mcpConfigSchema = z
  .object({
    enabled: z.boolean().default(true),
    clients: z
      .record(z.string().regex(ENDPOINT_NAME, 'a letter, then letters, digits, - and _'), mcpClientSchema)
      .default({ any: { names: ['*'], phi: 'none' } }),
  })
  .strict();

export type McpConfig = z.infer<typeof mcpConfigSchema>;

/** The client kind a handshake name belongs to: an exact name first, then a `*` kind. */
export function mcpClientKind(
  config: McpConfig,
  clientName: string | undefined,
): { kind: string; client: McpClientConfig } | undefined {
  const entries = Object.entries(config.clients);
  const namesOf = (kind: string, c: McpClientConfig) => c.names ?? [kind];
  const exact = entries.find(
    ([kind, c]) => clientName !== undefined && namesOf(kind, c).includes(clientName),
  );
  const any = entries.find(([kind, c]) => namesOf(kind, c).includes('*'));
  const hit = exact ?? any;
  return hit ? { kind: hit[0], client: hit[1] } : undefined;
}

/**
 * Check one MCP client kind before anything is released to it: the coverage rules of model
 * endpoints (`phi: allowed` needs a BAA or `on_prem`, not both), and for `allowed` the terms a
 * PHI recipient must have in writing (region, retention, no training). Every finding at once,
 * with its path (`mcp.clients.NAME.key`).
 *
 * @example checkMcpClient('agents', { phi: 'allowed' }).ok // => false (baa, region, retention, training)
 */
export function checkMcpClient(
  kind: string,
  client: McpClientConfig,
): { ok: true; phi: PhiLevel } | { ok: false; findings: Array<{ path: string; reason: string }> } {
  const at = `mcp.clients.${kind}`;
  const findings = coverageIssues(client).map((i) => ({ path: `${at}.${i.path}`, reason: i.message }));
  if (client.phi === 'allowed') {
    if (!client.region) findings.push({ path: `${at}.region`, reason: 'required for phi: allowed' });
    if (!client.retention) findings.push({ path: `${at}.retention`, reason: 'required for phi: allowed' });
    if (client.training !== 'none')
      findings.push({ path: `${at}.training`, reason: 'must be none for phi: allowed' });
  }
  return findings.length ? { ok: false, findings } : { ok: true, phi: client.phi };
}
