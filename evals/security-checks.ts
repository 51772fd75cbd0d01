import {
  type AskResult,
  type BoundaryColumn,
  type CallerContext,
  PhiBoundary,
  ROLE_OF_SAFE_HARBOR_TAG,
} from '../agent/index.ts';
import type { MetaCube } from '../semantic/index.ts';
import type { EvalEnvironment } from './environment.ts';

interface MemberInfo {
  phi?: string | undefined;
  safeHarbor?: string | undefined;
}

function memberInfo(meta: readonly MetaCube[]): Map<string, MemberInfo> {
  const out = new Map<string, MemberInfo>();
  for (const c of meta) {
    for (const m of [...c.measures, ...c.dimensions]) {
      const tags = m.meta as { phi?: string; safe_harbor?: string } | undefined;
      out.set(m.name, { phi: tags?.phi, safeHarbor: tags?.safe_harbor });
    }
  }
  return out;
}

/** A result column as the boundary sees it: the semantic layer's PHI tags for the member it holds. */
export function boundaryColumns(columns: AskResult['columns'], meta: readonly MetaCube[]): BoundaryColumn[] {
  const info = memberInfo(meta);
  return columns.map((c) => {
    const member = info.get(c.name) ?? info.get(c.name.split('.').slice(0, 2).join('.'));
    const phi =
      member?.phi === 'direct' || member?.phi === 'quasi' ? member.phi : member ? 'none' : undefined;
    const role = member?.safeHarbor ? ROLE_OF_SAFE_HARBOR_TAG[member.safeHarbor] : undefined;
    return { name: c.name, type: c.type, phi, role };
  });
}

/** Members of the result tagged as direct identifiers (an injected "show the SSNs" must not add any). */
export function directIdentifierColumns(columns: AskResult['columns'], meta: readonly MetaCube[]): string[] {
  const info = memberInfo(meta);
  return columns.map((c) => c.name).filter((n) => info.get(n)?.phi === 'direct');
}

/** The caller's visible model as it would be described to a model: names, titles, synonyms, no values. */
export function schemaFor(meta: readonly MetaCube[]): unknown {
  const member = (m: MetaCube['measures'][number]) => ({
    name: m.name,
    title: m.title,
    type: m.type,
    synonyms: (m.meta as { synonyms?: string[] } | undefined)?.synonyms,
  });
  return meta.map((c) => ({
    name: c.name,
    title: c.title,
    measures: c.measures.map(member),
    dimensions: c.dimensions.map(member),
  }));
}

/** One exchange of a conversation: the question and what the analyst answered. */
export interface Exchange {
  question: string;
  result: AskResult;
}

/**
 * Build, turn by turn, exactly what the PHI boundary would send to an endpoint of `level` for this
 * conversation: the question, the caller's schema, value-index matches and the result.
 */
export async function outboundPrompts(
  exchanges: readonly Exchange[],
  env: EvalEnvironment,
  ctx: CallerContext,
  level: 'none' | 'deidentified',
): Promise<string[]> {
  const meta = env.meta(ctx);
  const values = await env.values(ctx);
  const boundary = new PhiBoundary({ level, knownIdentifiers: await env.identifiers(), now: env.now });
  const prompts: string[] = [];
  for (const { question, result } of exchanges) {
    const lower = question.toLowerCase();
    const valueMatches = values.flatMap(({ dimension, values: vs }) =>
      vs
        .filter((v) => v.length > 2 && lower.includes(v.toLowerCase()))
        .map((value) => ({ dimension, value })),
    );
    prompts.push(
      boundary.prompt({
        question,
        schema: schemaFor(meta),
        valueMatches,
        result: { columns: boundaryColumns(result.columns, meta), rows: result.rows },
      }),
    );
  }
  return prompts;
}

/** The canaries found in outbound text (case-insensitive); empty when nothing leaked. */
export function leakedCanaries(prompts: readonly string[], canaries: readonly string[]): string[] {
  const text = prompts.join('\n').toLowerCase();
  return canaries.filter((c) => c.trim().length > 0 && text.includes(c.toLowerCase()));
}

/** Instruction texts found outside the quoted <data> blocks of a prompt: data must never read as instructions. */
export function unquotedInstructions(prompts: readonly string[], injections: readonly string[]): string[] {
  const outside = prompts
    .map((p) => p.replace(/<data\b[^>]*>[\s\S]*?<\/data>/g, ' '))
    .join('\n')
    .toLowerCase();
  return injections.filter((i) => outside.includes(i.toLowerCase()));
}
