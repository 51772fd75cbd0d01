import { readFileSync } from 'node:fs';
import { ProviderError } from '../errors.ts';

/** Google's OAuth token endpoint: where default user and service-account credentials get tokens. */
export const GOOGLE_TOKEN_ORIGIN = 'https://oauth2.googleapis.com';

/** Application default credentials read from GOOGLE_APPLICATION_CREDENTIALS, when that is set. */
export interface VertexCredentials {
  /** The parsed key file, handed to google-auth-library as is. */
  json?: Record<string, unknown> | undefined;
  projectId?: string | undefined;
  /** Origins the credentials exchange tokens with (token_uri, STS, impersonation). */
  authOrigins: string[];
}

/**
 * Read the credentials the Google default chain would use, to know which token endpoints they
 * call. Without GOOGLE_APPLICATION_CREDENTIALS the chain uses gcloud's user credentials (token
 * endpoint oauth2.googleapis.com) or the metadata server on Google Cloud.
 *
 * @example readVertexCredentials(process.env).authOrigins // => ['https://oauth2.googleapis.com']
 */
export function readVertexCredentials(env: Readonly<Record<string, string | undefined>>): VertexCredentials {
  const projectFromEnv = env.GOOGLE_CLOUD_PROJECT || env.GCLOUD_PROJECT || undefined;
  const path = env.GOOGLE_APPLICATION_CREDENTIALS;
  if (!path) return { projectId: projectFromEnv, authOrigins: [GOOGLE_TOKEN_ORIGIN] };
  let json: Record<string, unknown>;
  try {
    json = JSON.parse(readFileSync(path, 'utf8')) as Record<string, unknown>;
  } catch (cause) {
    throw new ProviderError(
      'CREDENTIALS_MISSING',
      `GOOGLE_APPLICATION_CREDENTIALS points to ${path}, which is not a readable JSON key file.`,
      { cause },
    );
  }
  const origins = new Set<string>();
  for (const key of ['token_uri', 'token_url', 'service_account_impersonation_url']) {
    const value = json[key];
    if (typeof value === 'string' && value) origins.add(new URL(value).origin);
  }
  if (origins.size === 0) origins.add(GOOGLE_TOKEN_ORIGIN);
  const fileProject =
    typeof json.project_id === 'string'
      ? json.project_id
      : typeof json.quota_project_id === 'string'
        ? json.quota_project_id
        : undefined;
  return { json, projectId: projectFromEnv ?? fileProject, authOrigins: [...origins] };
}
