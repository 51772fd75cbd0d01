import { ProviderError } from './errors.ts';

/** The variables that make LangChain send every prompt and reply to a LangSmith tracing service. */
export const TRACING_VARIABLES = [
  'LANGSMITH_TRACING_V2',
  'LANGCHAIN_TRACING_V2',
  'LANGSMITH_TRACING',
  'LANGCHAIN_TRACING',
] as const;

/**
 * Fail closed when LangChain tracing is on: the tracer posts prompts to its own service outside the
 * guarded transport, which would put PHI on a path nobody covered.
 *
 * @example assertTracingOff(process.env)
 */
export function assertTracingOff(env: Readonly<Record<string, string | undefined>> = process.env): void {
  for (const name of TRACING_VARIABLES) {
    const value = env[name]?.trim().toLowerCase();
    if (value && value !== 'false' && value !== '0' && value !== 'no') {
      throw new ProviderError(
        'TRACING_ENABLED',
        `${name} is set: LangChain tracing would send prompts outside the covered endpoint. Unset it.`,
      );
    }
  }
}
