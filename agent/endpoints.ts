import { z } from 'zod';

/** The model providers we can reach, each through its LangChain integration. */
export const PROVIDERS = [
  'bedrock',
  'azure-openai',
  'google-vertex',
  'openai',
  'anthropic',
  'openai-compatible',
] as const;
export type ProviderName = (typeof PROVIDERS)[number];

/** What an endpoint is cleared to receive (see agent/phi): nothing, Safe Harbor output, or PHI. */
export const PHI_LEVELS = ['none', 'deidentified', 'allowed'] as const;
export type PhiLevel = (typeof PHI_LEVELS)[number];

/** The name `llm.default` uses for the deterministic planner; no endpoint may take it. */
export const OFFLINE = 'offline';

const SECRET_REF = /^\$\{(env|file):[^}]+\}$/;
const ENDPOINT_NAME = /^[A-Za-z][A-Za-z0-9_-]*$/;

/** A calendar date written YYYY-MM-DD that exists (no 2024-02-30). */
const isoDate = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}$/, 'a date written YYYY-MM-DD')
  .refine((s) => {
    const d = new Date(`${s}T00:00:00Z`);
    return !Number.isNaN(d.getTime()) && d.toISOString().startsWith(s);
  }, 'not a real calendar date');

/** The business associate agreement that covers PHI sent to this endpoint. */
export const baaSchema = z
  .object({
    holder: z.string().min(1),
    reference: z.string().min(1),
    signed: isoDate,
  })
  .strict();

/**
 * One model endpoint, exactly as `llm.endpoints.NAME` in analyst.yaml. Credentials never appear in
 * plain text: `api_key` (only for API-key providers) must be a `${env:NAME}` or `${file:path}` reference;
 * Bedrock and Vertex take credentials from the AWS and Google default chains.
 */
export const endpointSchema = z
  .object({
    provider: z.enum(PROVIDERS),
    /** Model id, or the deployment name on Azure OpenAI. */
    model: z.string().min(1),
    /** Where prompts are processed: the AWS region, the Vertex location, or a stated site (obligation 5). */
    region: z.string().min(1),
    /** Required for azure-openai and openai-compatible; a private endpoint for the others. */
    base_url: z.url({ protocol: /^https?$/ }).optional(),
    phi: z.enum(PHI_LEVELS),
    baa: baaSchema.optional(),
    /** Self-hosted: no third party in the path, so no BAA is needed. */
    on_prem: z.literal(true).optional(),
    retention: z.union([z.literal('zero'), z.string().regex(/^[1-9]\d* days?$/, 'zero or "<N> days"')]),
    training: z.literal('none'),
    api_key: z
      .string()
      .regex(SECRET_REF, `a \${env:NAME} or \${file:path} reference, never the key itself`)
      .optional(),
  })
  .strict()
  .superRefine((e, ctx) => {
    const issue = (path: string, message: string) => ctx.addIssue({ code: 'custom', path: [path], message });
    if ((e.provider === 'azure-openai' || e.provider === 'openai-compatible') && !e.base_url) {
      issue('base_url', `required for provider ${e.provider}`);
    }
    if (e.baa && e.on_prem) issue('on_prem', 'an endpoint has a BAA or is on premises, not both');
    if (e.on_prem && e.provider !== 'openai-compatible') {
      issue('on_prem', 'only an openai-compatible (self-hosted) endpoint can be on premises');
    }
    // PHI may only reach a third party under a signed BAA (obligation 1), or stay on premises.
    if (e.phi === 'allowed' && !e.baa && !e.on_prem)
      issue('baa', 'phi: allowed needs a baa or on_prem: true');
    if (e.api_key && (e.provider === 'bedrock' || e.provider === 'google-vertex')) {
      issue('api_key', `${e.provider} takes credentials from its default chain, not an api_key`);
    }
    if (e.base_url?.startsWith('http:') && !e.on_prem) {
      issue('base_url', 'must be https:// (plain http only for an on_prem endpoint)');
    }
  });

export type EndpointConfig = z.infer<typeof endpointSchema>;

/**
 * The `llm` section of analyst.yaml. `default` is `offline` (the deterministic planner, no model)
 * or the name of an endpoint below.
 *
 * @example
 * llmConfigSchema.parse({
 *   default: 'claude',
 *   endpoints: { claude: { provider: 'bedrock', model: 'anthropic.claude-sonnet-4', region: 'us-east-1',
 *     phi: 'deidentified', baa: { holder: 'AWS', reference: 'AWS BAA', signed: '2024-01-15' },
 *     retention: 'zero', training: 'none' } },
 * });
 */
export const llmConfigSchema = z
  .object({
    default: z.string().min(1).default(OFFLINE),
    endpoints: z
      .record(z.string().regex(ENDPOINT_NAME, 'letters, digits, - and _'), endpointSchema)
      .default({}),
  })
  .strict()
  .superRefine((llm, ctx) => {
    if (OFFLINE in llm.endpoints) {
      ctx.addIssue({ code: 'custom', path: ['endpoints', OFFLINE], message: `"${OFFLINE}" is reserved` });
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
