import { readFileSync } from 'node:fs';
import { ProviderError } from '../errors.ts';

/** Google's OAuth token endpoint: where default user and service-account credentials get tokens. */
export const GOOGLE_TOKEN_ORIGIN = 'https://oauth2.googleapis.com';

/** What the application default credentials imply: the project and the token endpoints they use. */
export interface VertexCredentials {
  projectId?: string | undefined;
  /** Origins the credentials exchange tokens with (Google's token endpoint; STS for external accounts). */
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
  // google-auth-library exchanges service-account and user credentials at Google's token endpoint
  // whatever token_uri says; only external accounts (workload identity federation) name their own STS
  // and impersonation endpoints.
  const origins = new Set<string>([GOOGLE_TOKEN_ORIGIN]);
  if (json.type === 'external_account') {
    for (const key of ['token_url', 'service_account_impersonation_url']) {
      const value = json[key];
      if (typeof value === 'string' && value) origins.add(new URL(value).origin);
    }
  }
  const fileProject =
    typeof json.project_id === 'string'
      ? json.project_id
      : typeof json.quota_project_id === 'string'
        ? json.quota_project_id
        : undefined;
  return { projectId: projectFromEnv ?? fileProject, authOrigins: [...origins] };
}
