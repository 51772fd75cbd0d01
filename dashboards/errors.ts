import { AnalystError } from '../core/index.ts';

/** Every code the dashboards module raises. */
export type DashboardErrorCode =
  | 'DASHBOARD_NOT_FOUND'
  | 'DASHBOARD_INVALID'
  | 'DASHBOARD_EXISTS'
  | 'TILE_NOT_FOUND'
  | 'FILTER_INVALID'
  | 'DRILL_INVALID';

/**
 * An error about a dashboard file or a request against one; branch on `code`. Messages name
 * dashboards, tiles and filters, never data values.
 */
export class DashboardError extends AnalystError {
  declare readonly code: DashboardErrorCode;
  constructor(code: DashboardErrorCode, message: string, options: { cause?: unknown } = {}) {
    super(code, message, { ...options, exitCode: code === 'DASHBOARD_INVALID' ? 2 : 1 });
    this.name = 'DashboardError';
  }
}
