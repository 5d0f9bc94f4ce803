import type { OutcomeName } from './outcomes';

// One entry per filter of a query's `filters` (pkg/query/filterspecs.go, the Go side of the same
// table; src/shared/contract.test.ts checks both agree). The query editor's filters, the trace
// explorer's filter bar and its URL parameters are all driven by FILTER_SPECS.
// To add a filter: a field of QueryFilters, an entry here and its Go entry.

export type FilterKind = 'list' | 'text';
export type FilterSource = 'transactions' | 'reports';

export interface FilterSpec<K extends string = string> {
  /** JSON key under `filters` (a public contract: never renamed). */
  key: K;
  kind: FilterKind;
  label: string;
  /** Help text in the query editor. */
  tooltip: string;
  /** Query sources it narrows: transaction queries, report queries or both. */
  sources: readonly FilterSource[];
  /** Help text in the report editors, when it differs. */
  reportTooltip?: string;
  /** Text filters: example shown in the empty box. */
  placeholder?: string;
  /** Text filters: width of the editor's box (default 30). */
  width?: number;
  /** The trace explorer takes the filter as URL parameter `key`. */
  explorer?: {
    /** Position in the explorer's filter bar; absent: URL parameter only (deep links). */
    bar?: number;
    /** Label in the explorer when it differs from `label`. */
    label?: string;
    /** What an empty box says. */
    placeholder?: string;
  };
}

const TX = ['transactions'] as const;
const BOTH = ['transactions', 'reports'] as const;
const REPORTS = ['reports'] as const;

/** Every filter, in the order the query editor shows them. */
export const FILTER_SPECS = [
  {
    key: 'api',
    kind: 'list',
    label: 'API',
    tooltip: 'API id or name; several match any of them',
    reportTooltip: 'API id or name',
    sources: BOTH,
    explorer: { bar: 1, placeholder: 'All APIs' },
  },
  {
    key: 'collection',
    kind: 'list',
    label: 'Collection',
    tooltip: 'APIs of these collections (from the inventory reports)',
    reportTooltip: 'Collection id or name',
    sources: BOTH,
    explorer: {},
  },
  {
    key: 'instance',
    kind: 'list',
    label: 'Instance',
    tooltip: 'Firewall instance name',
    sources: TX,
    explorer: { bar: 5, placeholder: 'All instances' },
  },
  {
    key: 'outcome',
    kind: 'list',
    label: 'Outcome',
    tooltip: 'allowed, blocked, would block (monitoring mode) or unmatched',
    sources: TX,
    explorer: { bar: 2, placeholder: 'Any outcome' },
  },
  {
    key: 'method',
    kind: 'list',
    label: 'Method',
    tooltip: 'HTTP method, case-insensitive',
    sources: TX,
    explorer: { bar: 3, placeholder: 'Any' },
  },
  {
    key: 'status',
    kind: 'list',
    label: 'Status',
    tooltip: 'Status codes (404) or classes (4xx)',
    sources: TX,
    explorer: { bar: 4, placeholder: 'Any' },
  },
  {
    key: 'operation',
    kind: 'list',
    label: 'Operation',
    tooltip: 'OpenAPI path template matched (oas_path)',
    sources: TX,
    explorer: {},
  },
  {
    key: 'errorStep',
    kind: 'list',
    label: 'Error step',
    tooltip: 'Processing step of any error of the transaction',
    sources: TX,
    explorer: {},
  },
  {
    key: 'errorMessage',
    kind: 'list',
    label: 'Error message',
    tooltip: 'Message of any error of the transaction, exactly',
    sources: TX,
    explorer: {},
  },
  {
    key: 'hostname',
    kind: 'list',
    label: 'Hostname',
    tooltip: 'The host the client called (hostname)',
    sources: TX,
    explorer: {},
  },
  // Client geography: only with the data source's geoDatabase setting.
  {
    key: 'clientCountry',
    kind: 'list',
    label: 'Client country',
    tooltip: 'Country code of the client IP (any case), or unknown; needs the geoDatabase setting',
    sources: TX,
    explorer: {},
  },
  {
    key: 'clientAsn',
    kind: 'list',
    label: 'Client ASN',
    tooltip: 'Autonomous system of the client IP ("AS<n> <org>"); needs a geoDatabase with ASN data',
    sources: TX,
    explorer: {},
  },
  {
    key: 'clientCity',
    kind: 'list',
    label: 'Client city',
    tooltip: 'City of the client IP; needs a geoDatabase with city data',
    sources: TX,
    explorer: {},
  },
  {
    key: 'clientIp',
    kind: 'text',
    label: 'Client IP',
    tooltip: 'One IPv4/IPv6 address or a CIDR (10.0.0.0/8)',
    placeholder: '10.0.0.0/8',
    width: 24,
    sources: TX,
    explorer: { bar: 6, label: 'Client IP or CIDR' },
  },
  {
    key: 'path',
    kind: 'text',
    label: 'Path',
    tooltip: 'Exact path (/api/users), a prefix ending in /* (/api/*), or a glob within segments (/api/*/pictures)',
    placeholder: '/api/*',
    sources: TX,
    explorer: { bar: 7 },
  },
  { key: 'tag', kind: 'list', label: 'Tag', tooltip: 'Any of the API’s inventory tags', sources: REPORTS },
  { key: 'team', kind: 'list', label: 'Team', tooltip: 'Owning team, id or name', sources: REPORTS },
] as const satisfies readonly FilterSpec[];

type Spec = (typeof FILTER_SPECS)[number];

export type FilterKey = Spec['key'];
/** Filters that hold a list of values. */
export type ListFilterKey = Extract<Spec, { kind: 'list' }>['key'];
/** Filters that hold one text value. */
export type TextFilterKey = Extract<Spec, { kind: 'text' }>['key'];
/** Filters the trace explorer takes as URL parameters. */
export type ExplorerListKey = Extract<Spec, { kind: 'list'; explorer: object }>['key'];
export type ExplorerTextKey = Extract<Spec, { kind: 'text'; explorer: object }>['key'];

const keysOf = <K extends FilterKey>(pick: (spec: FilterSpec) => boolean) =>
  (FILTER_SPECS as readonly FilterSpec[]).filter(pick).map((spec) => spec.key as K);

export const LIST_FILTER_KEYS: ListFilterKey[] = keysOf((spec) => spec.kind === 'list');
export const TEXT_FILTER_KEYS: TextFilterKey[] = keysOf((spec) => spec.kind === 'text');

/** The explorer's list URL parameters, in URL order. */
export const EXPLORER_LIST_KEYS: ExplorerListKey[] = keysOf((spec) => spec.kind === 'list' && !!spec.explorer);
/** The explorer's text URL parameters that are filters. */
export const EXPLORER_TEXT_KEYS: ExplorerTextKey[] = keysOf((spec) => spec.kind === 'text' && !!spec.explorer);

/** The filters of one query source, in editor order. */
export function filterSpecs(source: FilterSource, kind?: FilterKind): Array<FilterSpec<FilterKey>> {
  return (FILTER_SPECS as ReadonlyArray<FilterSpec<FilterKey>>).filter(
    (spec) => spec.sources.includes(source) && (kind === undefined || spec.kind === kind)
  );
}

/** The explorer's filter bar, in bar order. */
export function explorerBarSpecs(): Array<FilterSpec<ExplorerListKey | ExplorerTextKey>> {
  return (FILTER_SPECS as readonly FilterSpec[])
    .filter((spec) => spec.explorer?.bar !== undefined)
    .sort((a, b) => (a.explorer?.bar ?? 0) - (b.explorer?.bar ?? 0)) as Array<
    FilterSpec<ExplorerListKey | ExplorerTextKey>
  >;
}

/** Values of the filters, by key (outcome holds outcome names). */
export type FilterValues = { [K in ListFilterKey]?: K extends 'outcome' ? OutcomeName[] : string[] } & {
  [K in TextFilterKey]?: string;
};
