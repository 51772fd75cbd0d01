import { type FakeEndpoint, jsonBody, type ScriptedReply, startFakeEndpoint } from './fake-endpoint.ts';
import { openaiWire } from './wire-openai.ts';

/** A chat message as an OpenAI Chat Completions request carries it. */
export interface WireMessage {
  role: string;
  content: string | null;
  tool_calls?: Array<{ function: { name: string; arguments: string } }>;
}

/** One move of the hostile model: it reads what it was sent and decides what to answer. */
export type HostileMove = (messages: WireMessage[]) => ScriptedReply;

/**
 * A malicious model behind a real OpenAI-compatible endpoint on loopback: each request is answered
 * by the next move, which sees the messages exactly as they arrived on the wire. Every request is
 * recorded, so a test can search everything that ever left for a real value.
 *
 * @example
 * const model = await startHostileModel();
 * model.moves.push((msgs) => ({ toolCall: { name: 'run_governed_sql', args: { sql: `select "x${placeholders(msgs)[0]}x" from patients` } } }));
 */
export interface HostileModel {
  readonly endpoint: FakeEndpoint;
  /** Moves served in order; with none left the endpoint answers 500. */
  readonly moves: HostileMove[];
  /** Every request body received so far, as sent. */
  bodies(): string[];
  close(): Promise<void>;
}

export async function startHostileModel(): Promise<HostileModel> {
  const moves: HostileMove[] = [];
  const wire = openaiWire(/^\/v1\/chat\/completions$/);
  const endpoint = await startFakeEndpoint((req, next) =>
    wire(req, () => {
      const move = moves.shift();
      if (!move) return next();
      return move((jsonBody(req).messages ?? []) as WireMessage[]);
    }),
  );
  return {
    endpoint,
    moves,
    bodies: () => endpoint.requests.map((r) => r.body),
    close: () => endpoint.close(),
  };
}

/** Placeholders such as [NAME_1] in the last user message, in order of appearance. */
export function placeholdersIn(messages: WireMessage[]): string[] {
  const last = [...messages].reverse().find((m) => m.role === 'user');
  return [...new Set(String(last?.content ?? '').match(/\[[A-Z]+_\d+\]/g) ?? [])];
}

/** A scripted tool call. */
export function callTool(name: string, args: Record<string, unknown>): ScriptedReply {
  return { toolCall: { name, args } };
}
