import { join } from 'node:path';
import { Analyst, ConversationStore, semanticAgentDeps } from '../agent/index.ts';
import { Gate } from '../gate/index.ts';
import type { Lakehouse } from '../lakehouse/index.ts';
import { type SecurityContext, SemanticLayer } from '../semantic/index.ts';
import type { Workspace } from '../workspace/index.ts';

/**
 * Everything that answers questions, wired once for a workspace: the lake (locked down, since
 * callers' SQL runs on it), the semantic layer, the governed SQL gate and the agent. The CLI's
 * `sql`, `ask` and `serve` build on this; close it when done.
 */
export interface Runtime {
  workspace: Workspace;
  lake: Lakehouse;
  semantic: SemanticLayer;
  gate: Gate<SecurityContext>;
  analyst: Analyst;
  conversations: ConversationStore;
  close(): Promise<void>;
}

export async function openRuntime(ws: Workspace): Promise<Runtime> {
  const lake = await ws.openLake({ sandbox: { readDirectories: [] } });
  try {
    const semantic = await SemanticLayer.load({ modelDir: ws.path(ws.config.semantic.model_dir), lake });
    const gate = await Gate.create<SecurityContext>({
      lake,
      relations: (ctx) => [...semantic.governedRelations(ctx)].map(([name, r]) => ({ name, sql: r.sql })),
    });
    const conversations = ConversationStore.open({
      path: join(ws.dir, 'state', 'conversations.db'),
      workspaceKey: await ws.keyProvider().getKey(),
    });
    const analyst = Analyst.create({ deps: semanticAgentDeps({ semantic, gate }), store: conversations });
    return {
      workspace: ws,
      lake,
      semantic,
      gate,
      analyst,
      conversations,
      close: async () => {
        conversations.close();
        await lake.close();
      },
    };
  } catch (err) {
    await lake.close();
    throw err;
  }
}

/** The security context of a users.yaml identity (`--as USER`). */
export function contextOf(ws: Workspace, userId: string): SecurityContext {
  const u = ws.user(userId);
  return { userId: u.id, roles: u.roles, attributes: u.attributes };
}
