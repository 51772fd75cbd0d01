import { z } from 'zod';

/**
 * Where a key comes from: a file (mode 0600), an environment variable, or a command whose
 * standard output is the key (the KMS hook). Used by the lake key and the audit signing key.
 *
 * @example
 * key: { source: command, command: [aws, kms, decrypt, --ciphertext-blob, fileb://key.enc] }
 */
export const keySourceSchema = z.discriminatedUnion('source', [
  z.object({ source: z.literal('file'), path: z.string().min(1) }).strict(),
  z.object({ source: z.literal('env'), name: z.string().min(1) }).strict(),
  z.object({ source: z.literal('command'), command: z.array(z.string()).min(1) }).strict(),
]);

export type KeySource = z.infer<typeof keySourceSchema>;
