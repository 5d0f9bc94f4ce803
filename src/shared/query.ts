import type { DataQuery } from '@grafana/schema';

// The query model is a public contract: dashboards and alert rules store this JSON,
// so names are only ever added, never renamed.

export type QueryType =
  | 'traffic'
  | 'topN'
  | 'stats'
  | 'transactions'
  | 'trace'
  | 'instances'
  | 'audit'
  | 'auditIssues'
  | 'auditTrend'
  | 'scan'
  | 'scanTrend'
  | 'inventory';

export type Outcome = 'allowed' | 'blocked' | 'wouldBlock' | 'unmatched';

export type Dimension =
  | 'clientIp'
  | 'path'
  | 'operation'
  | 'method'
  | 'status'
  | 'statusClass'
  | 'errorStep'
  | 'errorMessage'
  | 'api'
  | 'instance'
  | 'hostname'
  | 'outcome';

export type Metric = 'count' | 'rate' | 'blockedRatio';

export interface QueryFilters {
  api?: string[];
  instance?: string[];
  outcome?: Outcome[];
  clientIp?: string;
  path?: string;
  method?: string[];
  status?: string[];
  errorStep?: string[];
}

export interface ApifwQuery extends DataQuery {
  queryType: QueryType;
  dimension?: Dimension;
  splitBy?: string;
  metric?: Metric;
  limit?: number;
  uuid?: string;
  filters?: QueryFilters;
}

/** Query types the backend answers in this release; the editor offers only these. */
export const IMPLEMENTED_QUERY_TYPES: QueryType[] = ['stats'];

export const DEFAULT_QUERY: Partial<ApifwQuery> = {
  queryType: 'stats',
};

/** One line per query type, shown next to the query type picker. */
export const QUERY_TYPE_DESCRIPTIONS: Record<QueryType, string> = {
  traffic: 'Transactions over time, split by outcome or by one dimension',
  topN: 'Top values of one dimension with counts per outcome',
  stats: 'Single numbers for the time range: totals per outcome, blocked ratio, distinct clients, instances',
  transactions: 'Matching transactions, newest first, with links to their trace',
  trace: 'One transaction by UUID with every processing step',
  instances: 'Firewall instances seen in the logs',
  audit: 'Latest audit report per API',
  auditIssues: 'Audit issues by severity, category and id',
  auditTrend: 'Audit scores and issue counts over time',
  scan: 'Latest conformance scan per API',
  scanTrend: 'Scan results over time',
  inventory: 'APIs, collections, teams and users',
};

/** Human label of each query type. */
export const QUERY_TYPE_LABELS: Record<QueryType, string> = {
  traffic: 'Traffic',
  topN: 'Top N',
  stats: 'Stats',
  transactions: 'Transactions',
  trace: 'Trace',
  instances: 'Instances',
  audit: 'Audit',
  auditIssues: 'Audit issues',
  auditTrend: 'Audit trend',
  scan: 'Scan',
  scanTrend: 'Scan trend',
  inventory: 'Inventory',
};

/** Column names of the one-row `stats` result, in the order the backend returns them. */
export const STATS_COLUMNS = {
  total: 'total',
  allowed: 'allowed',
  blocked: 'blocked',
  wouldBlock: 'wouldBlock',
  unmatched: 'unmatched',
  blockedRatio: 'blockedRatio',
  distinctClients: 'distinctClients',
  instances: 'instances',
} as const;

export type StatsColumn = (typeof STATS_COLUMNS)[keyof typeof STATS_COLUMNS];

/** What each stats column means, for editor help text. */
export const STATS_COLUMN_DESCRIPTIONS: Record<StatsColumn, string> = {
  total: 'all transactions in the time range',
  allowed: 'transactions the firewall let through',
  blocked: 'transactions the firewall rejected',
  wouldBlock: 'transactions that would have been rejected in monitoring mode',
  unmatched: 'requests that matched no API operation',
  blockedRatio: 'blocked divided by total (0 to 1)',
  distinctClients: 'number of different client IPs',
  instances: 'number of firewall instances that logged traffic',
};

export function isImplementedQueryType(queryType: string | undefined): queryType is QueryType {
  return IMPLEMENTED_QUERY_TYPES.some((implemented) => implemented === queryType);
}
