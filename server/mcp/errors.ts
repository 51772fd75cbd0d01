import { AnalystError } from '../../core/index.ts';

export type McpErrorCode =
  /** The client's handshake name matches no kind under analyst.yaml's `mcp.clients`. */
  | 'MCP_CLIENT_NOT_ALLOWED'
  /** The client's kind lacks the terms its `phi` level needs (a BAA or on_prem for `allowed`). */
  | 'MCP_CLIENT_NOT_COVERED'
  /** analyst.yaml sets `mcp.enabled: false`. */
  | 'MCP_DISABLED';

/**
 * The MCP server refused a client or a call. A refusal by policy (exit code 3), so clients see
 * it as a tool error with this code and a plain message, never a stack.
 *
 * @example throw new McpError('MCP_CLIENT_NOT_ALLOWED', 'MCP client "x" is not among the client kinds analyst.yaml allows.');
 */
export class McpError extends AnalystError {
  declare readonly code: McpErrorCode;
  constructor(code: McpErrorCode, message: string) {
    super(code, message, { exitCode: 3 });
    this.name = 'McpError';
  }
}
