import type { OpenAPIHono } from '@hono/zod-openapi';

/**
 * Routes whose bodies are Cube's or free-form (Cube API, dashboards, embedding, audit, sign-in)
 * are plain Hono handlers; they are listed here so /openapi.json describes every route a client
 * can call. Request and response shapes are in README.md and docs/web.md.
 */
const PLAIN_ROUTES: Array<{ method: 'get' | 'post'; path: string; summary: string; tag: string }> = [
  {
    method: 'get',
    path: '/cubejs-api/v1/load',
    summary: 'Cube REST load (?query=…; queryType=multi supported)',
    tag: 'cube',
  },
  { method: 'post', path: '/cubejs-api/v1/load', summary: 'Cube REST load ({"query": …})', tag: 'cube' },
  { method: 'get', path: '/cubejs-api/v1/sql', summary: 'The SQL a Cube query runs as', tag: 'cube' },
  { method: 'post', path: '/cubejs-api/v1/sql', summary: 'The SQL a Cube query runs as', tag: 'cube' },
  {
    method: 'get',
    path: '/cubejs-api/v1/meta',
    summary: 'Cubes, measures and dimensions the caller may see',
    tag: 'cube',
  },
  { method: 'get', path: '/v1/audit', summary: 'Audit trail, newest first, paged (auditor)', tag: 'audit' },
  {
    method: 'get',
    path: '/v1/audit/export',
    summary: 'Audit export as JSONL or CSV (auditor; audited)',
    tag: 'audit',
  },
  {
    method: 'get',
    path: '/v1/compliance',
    summary: "The compliance doctor's report (auditor or admin)",
    tag: 'audit',
  },
  { method: 'get', path: '/v1/dashboards', summary: 'Dashboards in the workspace', tag: 'dashboards' },
  {
    method: 'post',
    path: '/v1/dashboards',
    summary: 'Create a dashboard (admin, analyst)',
    tag: 'dashboards',
  },
  { method: 'get', path: '/v1/dashboards/{id}', summary: 'A dashboard definition', tag: 'dashboards' },
  {
    method: 'post',
    path: '/v1/dashboards/{id}/tiles',
    summary: 'Add a tile, e.g. from a chat answer (admin, analyst)',
    tag: 'dashboards',
  },
  {
    method: 'post',
    path: '/v1/dashboards/{id}/tiles/{tile}/data',
    summary: "A tile's rows and chart with filters applied",
    tag: 'dashboards',
  },
  {
    method: 'post',
    path: '/v1/dashboards/{id}/tiles/{tile}/drill',
    summary: 'The rows behind a tile or a point (masked by policy)',
    tag: 'dashboards',
  },
  {
    method: 'post',
    path: '/v1/dashboards/{id}/tiles/{tile}/csv',
    summary: 'CSV of a tile or its rows (audited export)',
    tag: 'dashboards',
  },
  {
    method: 'get',
    path: '/v1/dashboards/{id}/filters/{filter}/options',
    summary: "A select filter's choices",
    tag: 'dashboards',
  },
  {
    method: 'post',
    path: '/v1/embed-tokens',
    summary: 'A short-lived token for one dashboard, viewer and origins (admin or embed key)',
    tag: 'embedding',
  },
  {
    method: 'get',
    path: '/embed/dashboards/{id}',
    summary: 'The embeddable dashboard page (?token=…)',
    tag: 'embedding',
  },
  {
    method: 'get',
    path: '/v1/auth/config',
    summary: 'How the web app signs in (dev or OIDC)',
    tag: 'sign-in',
  },
  {
    method: 'post',
    path: '/v1/auth/oidc/token',
    summary: 'OIDC authorization-code exchange with PKCE',
    tag: 'sign-in',
  },
];

export function registerPlainRouteDocs(app: OpenAPIHono): void {
  for (const r of PLAIN_ROUTES) {
    app.openAPIRegistry.registerPath({
      method: r.method,
      path: r.path,
      summary: r.summary,
      tags: [r.tag],
      responses: { 200: { description: 'See README.md / docs/web.md for the shape' } },
    });
  }
}
