import { fhirConnector } from './fhir/connector.ts';
import { filesConnector } from './files/connector.ts';
import { mysqlConnector } from './mysql/connector.ts';
import { postgresConnector } from './postgres/connector.ts';
import { restConnector } from './rest/connector.ts';
import type { AnyConnector } from './sdk/types.ts';
import { syntheaConnector } from './synthea/connector.ts';

/**
 * The connectors a workspace can use: the built-ins plus any `extra` (a data engineer's own).
 * A new map per call; there is no global registry.
 *
 * @example const connectors = createConnectorRegistry([myConnector]); connectors.get('files');
 */
export function createConnectorRegistry(
  extra: readonly AnyConnector[] = [],
): ReadonlyMap<string, AnyConnector> {
  const all: AnyConnector[] = [
    filesConnector,
    syntheaConnector,
    postgresConnector,
    mysqlConnector,
    restConnector,
    fhirConnector,
    ...extra,
  ];
  return new Map(all.map((c) => [c.type, c]));
}
