import { z } from 'zod';

const DATE = /^\d{4}-\d{2}-\d{2}$/;
const SECRET_REF = /^\$\{(env|file):[^}]+\}$/;

/** The name `llm.default` uses for the deterministic planner; no endpoint may take it. */
export const OFFLINE = 'offline';

/** An endpoint's name: a letter first (so it never reads as a number), then letters, digits, - and _. */
export const ENDPOINT_NAME = /^[A-Za-z][A-Za-z0-9_-]*$/;

/** The model providers we can reach, each through its LangChain integration (agent/providers). */
export const LLM_PROVIDERS = [
  'bedrock',
  'azure-openai',
  'google-vertex',
  'openai',
  'anthropic',
  'openai-compatible',
] as const;
export type ProviderName = (typeof LLM_PROVIDERS)[number];

/** What an endpoint is cleared to receive (see agent/phi): nothing, Safe Harbor output, or PHI. */
export const PHI_LEVELS = ['none', 'deidentified', 'allowed'] as const;
export type PhiLevel = (typeof PHI_LEVELS)[number];

/** What an endpoint gets when analyst.yaml leaves `timeout_ms`, `retries` or `fallback` out. */
export const ENDPOINT_DEFAULTS = { timeout_ms: 60_000, retries: 1, fallback: 'offline' } as const;

/** A calendar date written YYYY-MM-DD that exists (no 2024-02-30). */
const isoDate = z
  .string()
  .regex(DATE, 'a date written YYYY-MM-DD')
  .refine((s) => {
    const d = new Date(`${s}T00:00:00Z`);
    return !Number.isNaN(d.getTime()) && d.toISOString().startsWith(s);
  }, 'not a real calendar date');

/** A business associate agreement on file: who holds it, its reference, and when it was signed. */
export const baaSchema = z
  .object({
    holder: z.string().min(1),
    reference: z.string().min(1),
    signed: z.union([isoDate, z.date()]).transform((d) =>
      // YAML turns an unquoted 2024-05-01 into a Date; keep the written day either way.
      typeof d === 'string' ? d : d.toISOString().slice(0, 10),
    ),
  })
  .strict();

export type Baa = z.infer<typeof baaSchema>;

/**
 * One model endpoint as analyst.yaml may hold it. Lenient on purpose: an endpoint whose terms are
 * missing still loads, so `analyst doctor` can name each gap; `endpointSchema` below is what an
 * endpoint must satisfy before anything is sent to it.
 */
export const llmEndpointSchema = z
  .object({
    provider: z.enum(LLM_PROVIDERS),
    /** Model id, or the deployment name on Azure OpenAI. */
    model: z.string().min(1),
    /** Where prompts are processed: the AWS region, the Vertex location, or a stated site (obligation 5). */
    region: z.string().min(1).optional(),
    /** Required for azure-openai and openai-compatible; a private endpoint for the others. */
    base_url: z.url({ protocol: /^https?$/ }).optional(),
    /** A secret reference, never the key itself (bedrock and google-vertex use their own credential chains). */
    api_key: z
      .string()
      .regex(SECRET_REF, `a \${env:NAME} or \${file:path} reference, never the key itself`)
      .optional(),
    /** What may be sent: nothing identifying, Safe Harbor de-identified rows, or what the caller sees. */
    phi: z.enum(PHI_LEVELS).default('none'),
    baa: baaSchema.optional(),
    /** Self-hosted: no third party in the path, so no BAA is needed. */
    on_prem: z.boolean().optional(),
    /** `zero` or "<N> days": how long the endpoint keeps prompts and responses. */
    retention: z
      .union([z.literal('zero'), z.string().regex(/^[1-9]\d* days?$/, 'zero or "<N> days"')])
      .optional(),
    /** `none`: the terms forbid training on our prompts. */
    training: z.enum(['none', 'allowed']).optional(),
    /** The longest wait for one model answer, retries included (default 60 s). */
    timeout_ms: z.number().int().min(100).max(600_000).optional(),
    /** Retries after a failed or timed-out request, within `timeout_ms` (default 1). */
    retries: z.number().int().min(0).max(5).optional(),
    /**
     * When the endpoint fails: `offline` answers with the deterministic planner and says so in the
     * result (`fallback: true`); `none` answers with the error.
     */
    fallback: z.enum(['offline', 'none']).optional(),
  })
  .strict();

export type LlmEndpointConfig = z.infer<typeof llmEndpointSchema>;

/**
 * The same endpoint, strict: derived from the file schema, with its terms required and the rules
 * that make it safe to send anything to. The runtime, `analyst eval` and (for MCP clients)
 * anything else that calls out validates with this one schema.
 *
 * @example
 * endpointSchema.parse({ provider: 'bedrock', model: 'anthropic.claude-sonnet-4', region: 'us-east-1',
 *   phi: 'deidentified', baa: { holder: 'AWS', reference: 'AWS BAA', signed: '2024-01-15' },
 *   retention: 'zero', training: 'none' });
 */
export const endpointSchema = llmEndpointSchema
  .extend({
    region: z.string().min(1),
    phi: z.enum(PHI_LEVELS),
    on_prem: z.literal(true).optional(),
    retention: z.union([z.literal('zero'), z.string().regex(/^[1-9]\d* days?$/, 'zero or "<N> days"')]),
    training: z.literal('none'),
  })
  .superRefine(
    (e, ctx) => {
      const issue = (path: string, message: string) =>
        ctx.addIssue({ code: 'custom', path: [path], message });
      if ((e.provider === 'azure-openai' || e.provider === 'openai-compatible') && !e.base_url) {
        issue('base_url', `required for provider ${e.provider}`);
      }
      for (const c of coverageIssues(e)) issue(c.path, c.message);
      if (e.on_prem && e.provider !== 'openai-compatible') {
        issue('on_prem', 'only an openai-compatible (self-hosted) endpoint can be on premises');
      }
      if (e.api_key && (e.provider === 'bedrock' || e.provider === 'google-vertex')) {
        issue('api_key', `${e.provider} takes credentials from its default chain, not an api_key`);
      }
      if (typeof e.base_url === 'string' && e.base_url.startsWith('http:') && !e.on_prem) {
        issue('base_url', 'must be https:// (plain http only for an on_prem endpoint)');
      }
    },
    // Also when a term is missing: every finding at once, not one per attempt.
    { when: () => true },
  );

export type EndpointConfig = z.infer<typeof endpointSchema>;

/**
 * The coverage rules every party that receives our data obeys (model endpoints, MCP clients):
 * PHI may only reach a third party under a signed BAA (obligation 1), or stay on premises; and a
 * party has one or the other, not both.
 *
 * @example coverageIssues({ phi: 'allowed' }) // => [{ path: 'baa', message: 'phi: allowed needs a baa or on_prem: true' }]
 */
export function coverageIssues(e: {
  phi: PhiLevel;
  baa?: Baa | undefined;
  on_prem?: boolean | undefined;
}): Array<{ path: string; message: string }> {
  const out: Array<{ path: string; message: string }> = [];
  if (e.baa && e.on_prem)
    out.push({ path: 'on_prem', message: 'an endpoint has a BAA or is on premises, not both' });
  if (e.phi === 'allowed' && !e.baa && !e.on_prem)
    out.push({ path: 'baa', message: 'phi: allowed needs a baa or on_prem: true' });
  return out;
}

/** One reason an endpoint may not be called: where (`llm.endpoints.NAME.key`) and why. */
export interface EndpointFinding {
  path: string;
  reason: string;
}

/**
 * Check one configured endpoint against the strict schema: the endpoint ready to call, or every
 * finding with its path (`llm.endpoints.claude.region`) and reason.
 *
 * @example const r = checkEndpoint('claude', ws.config.llm.endpoints.claude); if (!r.ok) console.log(r.findings);
 */
export function checkEndpoint(
  name: string,
  raw: unknown,
): { ok: true; endpoint: EndpointConfig } | { ok: false; findings: EndpointFinding[] } {
  const at = `llm.endpoints.${name}`;
  if (raw === undefined) return { ok: false, findings: [{ path: at, reason: 'no such endpoint' }] };
  const parsed = endpointSchema.safeParse(raw);
  if (parsed.success) return { ok: true, endpoint: parsed.data };
  return {
    ok: false,
    findings: parsed.error.issues.map((i) => ({
      path: [at, ...i.path.map(String)].join('.'),
      reason: valueAt(raw, i.path) === undefined && i.code !== 'custom' ? 'required' : i.message,
    })),
  };
}

function valueAt(obj: unknown, path: readonly PropertyKey[]): unknown {
  let cur = obj;
  for (const key of path)
    cur = cur !== null && typeof cur === 'object' ? (cur as Record<PropertyKey, unknown>)[key] : undefined;
  return cur;
}

/**
 * analyst.yaml → `llm`: the model endpoints and which one answers by default (`offline`: the
 * deterministic planner, no model at all; so no endpoint may be called that).
 *
 * @example
 * llm:
 *   default: claude
 *   endpoints:
 *     claude: { provider: anthropic, model: claude-sonnet-4, region: us, phi: deidentified,
 *               baa: { holder: Anthropic, reference: BAA-42, signed: 2025-01-15 },
 *               retention: zero, training: none }
 */
export const llmConfigSchema = z
  .object({
    default: z.string().min(1).default(OFFLINE),
    endpoints: z
      .record(z.string().regex(ENDPOINT_NAME, 'a letter, then letters, digits, - and _'), llmEndpointSchema)
      .default({}),
  })
  .strict()
  .superRefine((llm, ctx) => {
    if (OFFLINE in llm.endpoints) {
      ctx.addIssue({
        code: 'custom',
        path: ['endpoints', OFFLINE],
        message: `"${OFFLINE}" is reserved for the offline planner`,
      });
    }
    if (llm.default !== OFFLINE && !(llm.default in llm.endpoints)) {
      ctx.addIssue({
        code: 'custom',
        path: ['default'],
        message: `"${llm.default}" is neither "${OFFLINE}" nor an endpoint under llm.endpoints`,
      });
    }
  });

export type LlmConfig = z.infer<typeof llmConfigSchema>;
