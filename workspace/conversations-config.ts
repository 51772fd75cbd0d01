import { z } from 'zod';

/**
 * analyst.yaml → `conversations`: where conversation state (questions and answers, so PHI,
 * encrypted) persists and for how long. `workspace` is the embedded SQLite store; a postgres://
 * URL shares conversations between replicas.
 */
export const conversationsConfigSchema = z
  .object({
    store: z
      .union([
        z.literal('workspace'),
        z.string().regex(/^postgres(ql)?:\/\/|^\$\{(env|file):[^}]+\}$/, 'workspace or a postgres:// URL'),
      ])
      .default('workspace'),
    schema: z
      .string()
      .regex(/^[A-Za-z_][A-Za-z0-9_]*$/)
      .default('analyst_conversations'),
    /** Conversations unused this long are deleted (checkpoints and index). */
    retention_days: z.number().int().positive().default(30),
  })
  .strict();

export type ConversationsConfig = z.infer<typeof conversationsConfigSchema>;
