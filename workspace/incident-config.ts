import { z } from 'zod';

/**
 * analyst.yaml → `incident`: who is paged, where the JSON webhook goes, and when a model
 * endpoint counts as unhealthy (its circuit breaker opens and an incident is raised).
 *
 * @example
 * incident:
 *   on_call: "privacy-oncall@example.org"
 *   webhook: ${env:PAGER_WEBHOOK_URL}
 */
export const incidentConfigSchema = z
  .object({
    /** Who is paged: a person, rota or address. */
    on_call: z.string().min(1).optional(),
    /** Who else is told (privacy officer, security). */
    notify: z.array(z.string().min(1)).default([]),
    /** The pager's JSON webhook: an http(s) URL or a secret reference to one. */
    webhook: z
      .string()
      .refine((s) => /^https?:\/\//.test(s) || /^\$\{(env|file):[^}]+\}$/.test(s), {
        message: `an http(s) URL or \${env:NAME} / \${file:path}`,
      })
      .optional(),
    endpoint_health: z
      .object({
        watch: z.boolean().default(true),
        /** Calls remembered per endpoint. */
        window: z.number().int().min(2).default(20),
        /** Fewest calls in the window before the breaker may open. */
        min_calls: z.number().int().min(1).default(5),
        /** Share of failed calls that opens the breaker. */
        error_rate: z.number().gt(0).max(1).default(0.5),
        /** A call slower than this counts as slow. */
        latency_ms: z.number().int().positive().default(30_000),
        /** Share of slow calls that opens the breaker. */
        slow_rate: z.number().gt(0).max(1).default(0.5),
        /** How long an open breaker waits before letting one trial call through. */
        cooldown_seconds: z.number().positive().default(60),
      })
      .strict()
      .prefault({}),
    /** Emergency access (`analyst break-glass`, `POST /v1/admin/break-glass`). */
    break_glass: z
      .object({
        /** Roles a grant adds when none are named: the model's policies say what they may see. */
        roles: z.array(z.string().min(1)).min(1).default(['break-glass']),
        /** The longest a grant may last. */
        max_minutes: z
          .number()
          .int()
          .min(1)
          .max(24 * 60)
          .default(240),
      })
      .strict()
      .prefault({}),
  })
  .strict();

export type IncidentConfig = z.infer<typeof incidentConfigSchema>;
