export interface DockerfileStep {
  line: number;
  op: 'RUN' | 'COPY' | 'WORKDIR' | 'ENV';
  command?: string;
  sources?: string[];
  dest?: string;
  path?: string;
  env?: Record<string, string>;
}
export interface DockerfilePlan {
  build: string;
  steps: DockerfileStep[];
  skipped: Array<{ line: number; op: string; command: string; reason: string }>;
  runtime: { env: Record<string, string>; entrypoint: string[] | null };
}
/** The Dockerfile's instructions, comments dropped and continuations joined. */
export function instructions(text: string): Array<{ op: string; args: string; line: number }>;
/** The build stage's steps to replay, the skipped steps, and the runtime entrypoint (see dockerfile-steps.mjs). */
export function planFromDockerfile(text: string): DockerfilePlan;
/** Replay a plan in a temporary folder, copying from the build context at `root`. */
export function replay(plan: DockerfilePlan, root: string, options?: { keep?: boolean }): void;
