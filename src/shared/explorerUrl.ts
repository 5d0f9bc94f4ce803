import { APP_BASE_URL, APP_ROUTES } from './constants';
import { EXPLORER_LIST_KEYS, EXPLORER_TEXT_KEYS, type ExplorerListKey, type ExplorerTextKey } from './filters';
import { dimensionExplorerParam, type ExplorerParam } from './query';

/**
 * State of the trace explorer as its URL carries it (contract §1): deep links from data links, the
 * top-N panel and support engineers. Every field is optional; list filters repeat their parameter.
 */
export type ExplorerState = { [K in ExplorerListKey]: string[] } & { [K in ExplorerTextKey]?: string } & {
  /**
   * Names of the APIs of `api`, in the same order: dashboard links carry both, the id to filter on
   * exactly (names need not be unique) and the name to show. Alone, names filter (the backend's api
   * filter takes ids or names).
   */
  apiName?: string[];
  uuid?: string;
  /** Grafana time syntax (now-6h) or epoch milliseconds, as in the URL. */
  from?: string;
  to?: string;
};

/** List filters the explorer takes (FILTER_SPECS entries with `explorer`), in URL order. */
export const LIST_PARAMS = EXPLORER_LIST_KEYS;
export const TEXT_PARAMS = ['uuid', ...EXPLORER_TEXT_KEYS, 'from', 'to'] as const;

export type ListParam = ExplorerListKey;
export type TextParam = (typeof TEXT_PARAMS)[number];

/** Longest value kept from a URL parameter: URLs are shared and may be crafted. */
const MAX_PARAM_LENGTH = 1024;
/** Most values kept per list parameter. */
const MAX_LIST_VALUES = 100;

export function emptyExplorerState(): ExplorerState {
  return Object.fromEntries(LIST_PARAMS.map((name) => [name, []])) as unknown as ExplorerState;
}

/** Values of a dashboard variable that mean "no filter". */
const ALL_VALUES = new Set(['$__all', 'All', '*']);

/**
 * Reads the explorer state from a query string; unknown parameters are ignored, blanks dropped. A list
 * parameter is also read from Grafana's variable form (`var-api=…`, what `${api:queryparam}` gives in a
 * dashboard link), without "All".
 */
export function parseExplorerParams(params: URLSearchParams): ExplorerState {
  const state = emptyExplorerState();
  for (const name of LIST_PARAMS) {
    const values = [...params.getAll(name), ...params.getAll(`var-${name}`).filter((value) => !ALL_VALUES.has(value))]
      .map((value) => value.trim())
      .filter((value) => value !== '' && value.length <= MAX_PARAM_LENGTH);
    state[name] = Array.from(new Set(values)).slice(0, MAX_LIST_VALUES);
  }
  // Not deduplicated: the names pair with the api values by position.
  const apiNames = params
    .getAll('apiName')
    .map((value) => value.trim())
    .filter((value) => value !== '' && value.length <= MAX_PARAM_LENGTH)
    .slice(0, MAX_LIST_VALUES);
  if (apiNames.length > 0) {
    state.apiName = apiNames;
  }
  for (const name of TEXT_PARAMS) {
    const value = params.get(name)?.trim();
    if (value && value.length <= MAX_PARAM_LENGTH) {
      state[name] = value;
    }
  }
  return state;
}

/** The query string for a state, parameters in a stable order, empty ones left out. */
export function explorerParams(state: Partial<ExplorerState>): URLSearchParams {
  const params = new URLSearchParams();
  if (state.uuid) {
    params.set('uuid', state.uuid);
  }
  for (const name of LIST_PARAMS) {
    for (const value of state[name] ?? []) {
      params.append(name, value);
    }
    if (name === 'api') {
      for (const value of state.apiName ?? []) {
        params.append('apiName', value);
      }
    }
  }
  for (const name of TEXT_PARAMS) {
    const value = state[name];
    if (name !== 'uuid' && value) {
      params.set(name, value);
    }
  }
  return params;
}

/** Absolute URL of the trace explorer showing this state. */
export function traceExplorerUrl(state: Partial<ExplorerState> = {}): string {
  const search = explorerParams(state).toString();
  return `${APP_BASE_URL}/${APP_ROUTES.traceExplorer}${search ? `?${search}` : ''}`;
}

export function sameExplorerState(a: ExplorerState, b: ExplorerState): boolean {
  return explorerParams(a).toString() === explorerParams(b).toString();
}

/** Which explorer parameter filters on a top-N / query dimension; undefined when the explorer has none. */
export function explorerParamForDimension(dimension: string): ExplorerParam | undefined {
  return dimensionExplorerParam(dimension);
}
