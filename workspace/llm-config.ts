import { z } from 'zod';

const DATE = /^\d{4}-\d{2}-\d{2}$/;

/** A business associate agreement on file: who holds it, its reference, and when it was signed. */
export const baaSchema = z
  .object({
    holder: z.string().min(1),
    reference: z.string().min(1),
    signed: z.union([z.string().regex(DATE, 'YYYY-MM-DD'), z.date()]).transform((d) =>
      // YAML turns an unquoted 2024-05-01 into a Date; keep the written day either way.
      typeof d === 'string' ? d : d.toISOString().slice(0, 10),
    ),
  })
  .strict();

export type Baa = z.infer<typeof baaSchema>;

export const LLM_PROVIDERS = [
  'bedrock',
  'azure-openai',
  'google-vertex',
  'openai',
  'anthropic',
  'openai-compatible',
] as const;

/**
 * One model endpoint. `baa` or `on_prem: true` says why PHI may reach it; `retention` and
 * `training` are the written terms. Missing terms load fine and show up as doctor gaps.
 */
export const llmEndpointSchema = z
  .object({
    provider: z.enum(LLM_PROVIDERS),
    /** Model or deployment id. */
    model: z.string().min(1),
    /** Where prompts are processed. */
    region: z.string().min(1).optional(),
    base_url: z.string().url().optional(),
    /** A secret reference, never the key itself (bedrock and google-vertex use their own credential chains). */
    api_key: z
      .string()
      .regex(/^\$\{(env|file):[^}]+\}$/, `a secret reference: \${env:NAME} or \${file:path}`)
      .optional(),
    /** What may be sent: nothing identifying, Safe Harbor de-identified rows, or what the caller sees. */
    phi: z.enum(['none', 'deidentified', 'allowed']).default('none'),
    baa: baaSchema.optional(),
    on_prem: z.boolean().optional(),
    /** `zero` or "<N> days": how long the endpoint keeps prompts and responses. */
    retention: z.union([z.literal('zero'), z.string().regex(/^\d+ days?$/, 'zero or "<N> days"')]).optional(),
    /** `none`: the terms forbid training on our prompts. */
    training: z.enum(['none', 'allowed']).optional(),
  })
  .strict();

export type LlmEndpointConfig = z.infer<typeof llmEndpointSchema>;

/**
 * analyst.yaml → `llm`: the model endpoints and which one answers by default (`offline`: the
 * deterministic planner, no model at all).
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
    default: z.string().min(1).default('offline'),
    endpoints: z.record(z.string().regex(/^[A-Za-z0-9_-]+$/), llmEndpointSchema).default({}),
  })
  .strict()
  .refine((llm) => llm.default === 'offline' || llm.default in llm.endpoints, {
    message: 'llm.default must be offline or the name of an endpoint under llm.endpoints',
    path: ['default'],
  });

export type LlmConfig = z.infer<typeof llmConfigSchema>;
