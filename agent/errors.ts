import { AnalystError } from '../core/index.ts';

export type AgentErrorCode =
  | 'CONVERSATION_FORBIDDEN'
  | 'CONVERSATION_NOT_FOUND'
  | 'INVALID_QUESTION'
  | 'AGENT_FAILED';

/** An agent failure; a conversation that belongs to someone else is a refusal (exit 3). */
export class AgentError extends AnalystError {
  declare readonly code: AgentErrorCode;
  constructor(code: AgentErrorCode, message: string, options: { cause?: unknown } = {}) {
    super(code, message, {
      ...options,
      exitCode: code === 'CONVERSATION_FORBIDDEN' ? 3 : code === 'INVALID_QUESTION' ? 2 : 1,
    });
    this.name = 'AgentError';
  }
}
