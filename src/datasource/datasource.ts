import type { CoreApp, DataSourceInstanceSettings, ScopedVars } from '@grafana/data';
import { DataSourceWithBackend, getTemplateSrv } from '@grafana/runtime';

import { type ApifwQuery, DEFAULT_QUERY, type Dimension, type Outcome, type QueryFilters } from 'shared/query';
import type { ApifwDataSourceOptions } from 'shared/settings';

// Multi-value variables are joined with a character that cannot appear in a typed value,
// then split again, so each selected value becomes its own array entry.
const MULTI_VALUE_SEPARATOR = '\u001f';

type ArrayFilterKey = 'api' | 'instance' | 'outcome' | 'method' | 'status' | 'errorStep';
const ARRAY_FILTER_KEYS: ArrayFilterKey[] = ['api', 'instance', 'outcome', 'method', 'status', 'errorStep'];

export class DataSource extends DataSourceWithBackend<ApifwQuery, ApifwDataSourceOptions> {
  constructor(instanceSettings: DataSourceInstanceSettings<ApifwDataSourceOptions>) {
    super(instanceSettings);
  }

  getDefaultQuery(_app: CoreApp): Partial<ApifwQuery> {
    return DEFAULT_QUERY;
  }

  /**
   * Resolves dashboard variables in the browser before the query reaches the backend.
   * Alert rules send the raw JSON, so the backend never depends on this having run.
   */
  applyTemplateVariables(query: ApifwQuery, scopedVars: ScopedVars): ApifwQuery {
    const templateSrv = getTemplateSrv();
    const replaceText = (value: string) => templateSrv.replace(value, scopedVars);
    const replaceList = (values: string[]) =>
      interpolateList(values, (value) => templateSrv.replace(value, scopedVars, joinMultiValue));

    const interpolated: ApifwQuery = { ...query };
    if (query.dimension) {
      interpolated.dimension = replaceText(query.dimension) as Dimension;
    }
    if (query.splitBy) {
      interpolated.splitBy = replaceText(query.splitBy);
    }
    if (query.uuid) {
      interpolated.uuid = replaceText(query.uuid).trim();
    }
    if (query.filters) {
      interpolated.filters = interpolateFilters(query.filters, replaceText, replaceList);
    }
    return interpolated;
  }

  filterQuery(query: ApifwQuery): boolean {
    return !query.hide;
  }
}

function interpolateFilters(
  filters: QueryFilters,
  replaceText: (value: string) => string,
  replaceList: (values: string[]) => string[]
): QueryFilters {
  const result: QueryFilters = { ...filters };
  if (filters.clientIp !== undefined) {
    result.clientIp = replaceText(filters.clientIp);
  }
  if (filters.path !== undefined) {
    result.path = replaceText(filters.path);
  }
  for (const key of ARRAY_FILTER_KEYS) {
    const values = filters[key];
    if (values !== undefined) {
      setArrayFilter(result, key, replaceList(values));
    }
  }
  return result;
}

function setArrayFilter(filters: QueryFilters, key: ArrayFilterKey, values: string[]) {
  if (key === 'outcome') {
    filters.outcome = values as Outcome[];
  } else {
    filters[key] = values;
  }
}

/** Interpolates each entry, expands multi-value variables into several entries, drops empty and duplicate ones. */
export function interpolateList(values: string[], replace: (value: string) => string): string[] {
  const expanded = values.flatMap((value) => replace(value).split(MULTI_VALUE_SEPARATOR));
  const cleaned = expanded.map((value) => value.trim()).filter((value) => value !== '');
  return Array.from(new Set(cleaned));
}

function joinMultiValue(value: string | string[]): string {
  return Array.isArray(value) ? value.join(MULTI_VALUE_SEPARATOR) : value;
}
