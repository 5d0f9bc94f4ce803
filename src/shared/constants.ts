// Plugin ids and fixed locations shared by the app, the data source and the panels.
// These strings appear in plugin.json files, provisioning and saved dashboards, so they never change.

export const APP_PLUGIN_ID = 'apifw-monitor-app';
export const DATASOURCE_PLUGIN_ID = 'apifw-monitor-datasource';
export const TOPN_PANEL_PLUGIN_ID = 'apifw-topn-panel';
export const TRACE_PANEL_PLUGIN_ID = 'apifw-trace-panel';

/** uid of the data source instance created by provisioning or by the app's "Create data source" action. */
export const PROVISIONED_DATASOURCE_UID = 'apifw-monitor';
/** Name given to the data source when the app creates it. */
export const DEFAULT_DATASOURCE_NAME = 'API Firewall Monitor';

/** Base URL of the app's pages. */
export const APP_BASE_URL = `/a/${APP_PLUGIN_ID}`;

/** Relative route names of the app pages (nested under APP_BASE_URL). */
export const APP_ROUTES = {
  home: 'home',
  traceExplorer: 'trace-explorer',
  instances: 'instances',
  dataManagement: 'data-management',
} as const;

/** Tag of the bundled dashboards (GET /api/search?tag=…). */
export const DASHBOARD_TAG = 'apifw-monitor';

/** URL of a data source resource as the browser reaches it through Grafana. */
export function dataSourceResourceUrl(uid: string, path: string): string {
  return `/api/datasources/uid/${encodeURIComponent(uid)}/resources/${path}`;
}

/** Grafana's settings page for a data source instance. */
export function dataSourceSettingsUrl(uid: string): string {
  return `/connections/datasources/edit/${encodeURIComponent(uid)}`;
}
