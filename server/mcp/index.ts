/** The MCP server over the governed layer (issue 17): tools, resources, the PHI boundary for clients, HTTP. */
export { McpError, type McpErrorCode } from './errors.ts';
export { mcpArea } from './http.ts';
export {
  createMcpServer,
  jsonDigest,
  MCP_SERVER_INFO,
  type McpCaller,
  type McpServerOptions,
} from './mcp-server.ts';
export { PhiRelease, type ReleasedColumn, type ReleaseSummary } from './phi-release.ts';
export { type ModelMatch, searchModel } from './search-model.ts';
export { MCP_TOOL_NAMES, type McpToolName } from './tool-schemas.ts';
