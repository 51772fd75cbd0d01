/**
 * Model endpoints as the agent calls them. The schema is analyst.yaml's, kept in workspace/: the
 * file schema there is lenient (so the doctor can name gaps) and `endpointSchema`, derived from
 * it, is the strict one checked before anything is sent.
 */
export {
  baaSchema,
  checkEndpoint,
  ENDPOINT_DEFAULTS,
  type EndpointConfig,
  type EndpointFinding,
  endpointSchema,
  LLM_PROVIDERS as PROVIDERS,
  OFFLINE,
  PHI_LEVELS,
  type PhiLevel,
  type ProviderName,
} from '../workspace/index.ts';
