import type { DataQuery } from '@grafana/schema';

import type { FilterValues } from './filters';

// The query model is a public contract: dashboards and alert rules store this JSON,
// so names are only ever added, never renamed (docs/query-model.md).

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

/** Where an explorer link for a dimension's value goes: the filter of that name in the explorer's URL. */
export type ExplorerParam =
  | 'clientIp'
  | 'path'
  | 'api'
  | 'instance'
  | 'outcome'
  | 'method'
  | 'status'
  | 'operation'
  | 'errorStep'
  | 'errorMessage'
  | 'hostname'
  | 'clientCountry'
  | 'clientAsn'
  | 'clientCity';

export interface DimensionSpec<N extends string = string> {
  /** Query-model name (a public contract: never renamed). */
  name: N;
  label: string;
  /** Where the value comes from. */
  description: string;
  /** The trace explorer's URL parameter that filters on the value; absent when it has none. */
  explorerParam?: ExplorerParam;
}

/**
 * Every dimension, in the order the editors offer them (pkg/query/dimensions.go is the Go side of the
 * same table; src/shared/contract.test.ts checks both agree). To add a dimension: an entry here and
 * its Go entry.
 */
export const DIMENSION_SPECS = [
  { name: 'clientIp', label: 'Client IP', description: 'source_ip as written', explorerParam: 'clientIp' },
  { name: 'path', label: 'Path', description: 'the request path (uri_path)', explorerParam: 'path' },
  {
    name: 'operation',
    label: 'Operation',
    description: 'the OpenAPI path template matched (oas_path)',
    explorerParam: 'operation',
  },
  { name: 'method', label: 'Method', description: 'HTTP method', explorerParam: 'method' },
  { name: 'status', label: 'Status', description: 'HTTP status code', explorerParam: 'status' },
  // The explorer's status filter takes classes like 4xx.
  { name: 'statusClass', label: 'Status class', description: '1xx … 5xx', explorerParam: 'status' },
  {
    name: 'errorStep',
    label: 'Error step',
    description: 'processing step of the last error (the block reason)',
    explorerParam: 'errorStep',
  },
  { name: 'errorMessage', label: 'Error message', description: 'message of the last error', explorerParam: 'errorMessage' },
  { name: 'api', label: 'API', description: 'API id (with its name)', explorerParam: 'api' },
  { name: 'instance', label: 'Instance', description: 'firewall instance', explorerParam: 'instance' },
  {
    name: 'hostname',
    label: 'Hostname',
    description: 'the host the client called (hostname)',
    explorerParam: 'hostname',
  },
  {
    name: 'blockingLevel',
    label: 'Blocking level',
    description: 'the enforcement level the firewall reported (blocking_level); empty when none',
  },
  {
    name: 'outcome',
    label: 'Outcome',
    description: 'allowed, blocked, would block, unmatched',
    explorerParam: 'outcome',
  },
  // Client geography: only with the data source's geoDatabase setting (and what the database holds).
  {
    name: 'clientCountry',
    label: 'Client country',
    description: 'country code of the client IP (needs the geoDatabase setting)',
    explorerParam: 'clientCountry',
  },
  {
    name: 'clientAsn',
    label: 'Client ASN',
    description: 'autonomous system of the client IP (needs a geoDatabase with ASN data)',
    explorerParam: 'clientAsn',
  },
  {
    name: 'clientCity',
    label: 'Client city',
    description: 'city of the client IP (needs a geoDatabase with city data)',
    explorerParam: 'clientCity',
  },
] as const satisfies readonly DimensionSpec[];

export type Dimension = (typeof DIMENSION_SPECS)[number]['name'];

/** Every dimension, in the order the editors offer them. */
export const DIMENSIONS: Dimension[] = DIMENSION_SPECS.map((spec) => spec.name);

export const DIMENSION_LABELS = Object.fromEntries(DIMENSION_SPECS.map((spec) => [spec.name, spec.label])) as Record<
  Dimension,
  string
>;

export const DIMENSION_DESCRIPTIONS = Object.fromEntries(
  DIMENSION_SPECS.map((spec) => [spec.name, spec.description])
) as Record<Dimension, string>;

/** The trace explorer's URL parameter for a dimension; undefined when the explorer has no filter for it. */
export function dimensionExplorerParam(dimension: string): ExplorerParam | undefined {
  return (DIMENSION_SPECS as readonly DimensionSpec[]).find((spec) => spec.name === dimension)?.explorerParam;
}

export function isDimension(value: string | undefined): value is Dimension {
  return DIMENSIONS.some((dimension) => dimension === value);
}

export type Metric = 'count' | 'rate' | 'blockedRatio';

export const METRICS: Metric[] = ['count', 'rate', 'blockedRatio'];

export const METRIC_LABELS: Record<Metric, string> = {
  count: 'Count',
  rate: 'Rate /s',
  blockedRatio: 'Blocked ratio',
};

export const METRIC_DESCRIPTIONS: Record<Metric, string> = {
  count: 'transactions per time bucket',
  rate: 'transactions per second',
  blockedRatio: 'blocked divided by all transactions in the bucket (0 to 1)',
};

export type AdhocOperator = '=' | '!=' | '=~' | '!~';

export const ADHOC_OPERATORS: AdhocOperator[] = ['=', '!=', '=~', '!~'];

/** A Grafana ad hoc filter on a dimension; `=~` and `!~` take an RE2 regular expression. */
export interface AdhocFilter {
  key: string;
  operator: AdhocOperator;
  value: string;
}

/** A query's filters: one field per FILTER_SPECS entry (shared/filters.ts), and the ad hoc filters. */
export interface QueryFilters extends FilterValues {
  /** Ad hoc filters on any dimension (from Grafana's ad hoc filter variables or set in the editor). */
  adhoc?: AdhocFilter[];
}

export interface GradeThresholds {
  good?: number;
  critical?: number;
}

export const DEFAULT_GRADES: Required<GradeThresholds> = { good: 70, critical: 40 };

export interface ApifwQuery extends DataQuery {
  queryType: QueryType;
  dimension?: Dimension;
  splitBy?: string;
  metric?: Metric;
  limit?: number;
  uuid?: string;
  /** stats: keep only these columns, in this order (an alert condition needs exactly one). */
  columns?: string[];
  /** topN / traffic: false leaves out the "other" remainder row or series (alert rules per value). */
  other?: boolean;
  /** instances: a Go duration; an instance with no record for that long is silent. */
  silentAfter?: string;
  /** auditIssues: severity | category | subcategory | issue; inventory: '' | api | collection | team. */
  groupBy?: string;
  /** auditTrend / scanTrend: bucket width as a Go duration (or 1d, 2w); empty chooses from the range. */
  interval?: string;
  /** Report grade thresholds. */
  grades?: GradeThresholds;
  filters?: QueryFilters;
}

/** The JSON keys of a query the editors set (Go's query.Query minus what Grafana sets). */
export const QUERY_KEYS = [
  'queryType',
  'dimension',
  'splitBy',
  'metric',
  'limit',
  'other',
  'uuid',
  'columns',
  'filters',
  'silentAfter',
  'groupBy',
  'interval',
  'grades',
] as const satisfies ReadonlyArray<keyof ApifwQuery>;

// Every key of ApifwQuery (beyond Grafana's DataQuery) is in QUERY_KEYS: tsc fails here otherwise.
type MissingQueryKey = Exclude<keyof ApifwQuery, keyof DataQuery | (typeof QUERY_KEYS)[number]>;
const allQueryKeys: [MissingQueryKey] extends [never] ? true : MissingQueryKey = true;
void allQueryKeys;

export const TRANSACTION_QUERY_TYPES: QueryType[] = ['traffic', 'topN', 'stats', 'transactions', 'trace', 'instances'];
export const REPORT_QUERY_TYPES: QueryType[] = ['audit', 'auditIssues', 'auditTrend', 'scan', 'scanTrend', 'inventory'];

/** Query types the backend answers in this release; the editor offers only these. */
export const IMPLEMENTED_QUERY_TYPES: QueryType[] = [...TRANSACTION_QUERY_TYPES, ...REPORT_QUERY_TYPES];

export function isReportQueryType(queryType: QueryType | undefined): boolean {
  return REPORT_QUERY_TYPES.some((type) => type === queryType);
}

/** Fields each query type starts with, so a new panel or a change of type shows useful data at once. */
export const QUERY_TYPE_DEFAULTS: Record<QueryType, Partial<ApifwQuery>> = {
  traffic: { splitBy: 'outcome', metric: 'count' },
  topN: { dimension: 'clientIp', limit: 10 },
  stats: {},
  transactions: { limit: 100 },
  trace: { uuid: '' },
  instances: { silentAfter: '15m' },
  audit: {},
  auditIssues: { groupBy: 'severity' },
  auditTrend: {},
  scan: {},
  scanTrend: {},
  inventory: {},
};

/** A new query: traffic over time split by outcome, the most telling first picture of the firewall. */
export const DEFAULT_QUERY: Partial<ApifwQuery> = {
  queryType: 'traffic',
  ...QUERY_TYPE_DEFAULTS.traffic,
};

/** Fields that belong to one query type only; dropped when the query changes type. */
const TYPE_SPECIFIC_FIELDS = [
  'dimension',
  'splitBy',
  'metric',
  'limit',
  'uuid',
  'columns',
  'other',
  'silentAfter',
  'groupBy',
  'interval',
  'grades',
] as const;

/**
 * The query with another type: the filters stay, the fields of the old type go and the new type's
 * defaults come in. Fields the new type also uses keep their value (e.g. a topN dimension kept
 * as the traffic split).
 */
export function changeQueryType(query: ApifwQuery, queryType: QueryType): ApifwQuery {
  const next: ApifwQuery = { ...query, queryType };
  for (const field of TYPE_SPECIFIC_FIELDS) {
    delete next[field];
  }
  Object.assign(next, QUERY_TYPE_DEFAULTS[queryType]);
  if (queryType === 'traffic' && query.queryType === 'topN' && query.dimension) {
    next.splitBy = query.dimension;
  }
  if (queryType === 'topN' && query.queryType === 'traffic' && isDimension(query.splitBy)) {
    next.dimension = query.splitBy;
  }
  return next;
}

/** What a query still needs before it can run, or undefined when it can run. */
export function missingForQuery(query: ApifwQuery): string | undefined {
  switch (query.queryType) {
    case 'trace':
      return query.uuid?.trim() ? undefined : 'a transaction UUID';
    case 'topN':
      return query.dimension ? undefined : 'a dimension';
    default:
      return undefined;
  }
}

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
  durationP50: 'durationP50',
  durationP90: 'durationP90',
  durationP99: 'durationP99',
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
  durationP50: 'median processing time (µs)',
  durationP90: '90th percentile processing time (µs)',
  durationP99: '99th percentile processing time (µs)',
};

export const AUDIT_ISSUES_GROUP_BY = ['severity', 'category', 'subcategory', 'issue'] as const;
export const INVENTORY_GROUP_BY = ['', 'api', 'collection', 'team'] as const;

export function isImplementedQueryType(queryType: string | undefined): queryType is QueryType {
  return IMPLEMENTED_QUERY_TYPES.some((implemented) => implemented === queryType);
}
