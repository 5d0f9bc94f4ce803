import type {
  AdHocVariableFilter,
  CoreApp,
  DataSourceGetTagKeysOptions,
  DataSourceGetTagValuesOptions,
  DataSourceInstanceSettings,
  MetricFindValue,
  ScopedVars,
} from '@grafana/data';
import { DataSourceWithBackend, getTemplateSrv, type TemplateSrv } from '@grafana/runtime';

import {
  type AdhocFilter,
  type AdhocOperator,
  type ApifwQuery,
  DEFAULT_QUERY,
  DIMENSION_LABELS,
  DIMENSIONS,
  type Dimension,
  isDimension,
  type Metric,
  missingForQuery,
  type QueryFilters,
} from 'shared/query';
import { LIST_FILTER_KEYS, type ListFilterKey, TEXT_FILTER_KEYS } from 'shared/filters';
import type { ApifwDataSourceOptions } from 'shared/settings';
import { readSuggestions, type Suggestion, type SuggestionRequest, suggestionParams } from './suggestions';
import { ApifwVariableSupport } from './variables';

// Multi-value variables are joined with a character that cannot appear in a typed value,
// then split again, so each selected value becomes its own array entry.
const MULTI_VALUE_SEPARATOR = '\u001f';

/** Grafana's value of a multi-value variable set to "All". */
const ALL_VALUE = '$__all';

/** Marks a list filter that an "All" variable (without a custom all value) turned into "no filter". */
const NO_FILTER = Symbol('no filter');

export class DataSource extends DataSourceWithBackend<ApifwQuery, ApifwDataSourceOptions> {
  constructor(instanceSettings: DataSourceInstanceSettings<ApifwDataSourceOptions>) {
    super(instanceSettings);
    this.variables = new ApifwVariableSupport(this);
  }

  getDefaultQuery(_app: CoreApp): Partial<ApifwQuery> {
    return DEFAULT_QUERY;
  }

  /**
   * Resolves dashboard variables and ad hoc filters in the browser before the query reaches the
   * backend. The saved query is not changed, and alert rules send the raw JSON, so the backend
   * never depends on this having run.
   */
  applyTemplateVariables(query: ApifwQuery, scopedVars: ScopedVars, filters?: AdHocVariableFilter[]): ApifwQuery {
    const interpolator = new Interpolator(getTemplateSrv(), scopedVars);
    const interpolated: ApifwQuery = { ...query };
    if (query.dimension) {
      interpolated.dimension = interpolator.text(query.dimension) as Dimension;
    }
    if (query.splitBy) {
      interpolated.splitBy = interpolator.text(query.splitBy);
    }
    if (query.metric) {
      interpolated.metric = interpolator.text(query.metric) as Metric;
    }
    if (query.uuid) {
      interpolated.uuid = interpolator.text(query.uuid).trim();
    }
    for (const field of ['silentAfter', 'groupBy', 'interval'] as const) {
      const value = query[field];
      if (value) {
        interpolated[field] = interpolator.text(value).trim();
      }
    }
    if (query.columns) {
      const columns = interpolator.list(query.columns);
      if (columns === NO_FILTER) {
        delete interpolated.columns;
      } else {
        interpolated.columns = columns;
      }
    }
    const adhoc = toAdhocFilters(filters ?? this.legacyAdhocFilters());
    if (query.filters || adhoc.length > 0) {
      interpolated.filters = interpolateFilters(query.filters ?? {}, interpolator, adhoc);
    }
    return interpolated;
  }

  /** Grafana before 11 passed no ad hoc filters to applyTemplateVariables; its TemplateSrv had them. */
  private legacyAdhocFilters(): AdHocVariableFilter[] {
    const templateSrv = getTemplateSrv() as TemplateSrv & {
      getAdhocFilters?: (datasourceName: string) => AdHocVariableFilter[];
    };
    return templateSrv.getAdhocFilters?.(this.name) ?? [];
  }

  /** Hidden queries and queries still missing what they need (a trace without UUID) are not sent. */
  filterQuery(query: ApifwQuery): boolean {
    return !query.hide && missingForQuery(query) === undefined;
  }

  /** Values of a dimension (or collection / tag / team) from the backend, most frequent first. */
  async suggestions(request: SuggestionRequest): Promise<Suggestion[]> {
    const prefix = request.prefix ? getTemplateSrv().replace(request.prefix) : request.prefix;
    const response = await this.getResource('suggestions', suggestionParams({ ...request, prefix }), {
      // Editors handle a failure themselves (typed values still work): no error toast.
      showErrorAlert: false,
    });
    return readSuggestions(response);
  }

  /** Ad hoc filter keys: every dimension. */
  async getTagKeys(_options?: DataSourceGetTagKeysOptions<ApifwQuery>): Promise<MetricFindValue[]> {
    return DIMENSIONS.map((dimension) => ({ text: DIMENSION_LABELS[dimension], value: dimension }));
  }

  /** Ad hoc filter values: the key's values in the dashboard's time range. */
  async getTagValues(options: DataSourceGetTagValuesOptions<ApifwQuery>): Promise<MetricFindValue[]> {
    if (!isDimension(options.key)) {
      return [];
    }
    const values = await this.suggestions({ field: options.key, range: options.timeRange });
    return values.map((value) => ({ text: value.label, value: value.value }));
  }
}

/** Template variable resolution with Grafana's TemplateSrv, aware of multi-value and "All". */
class Interpolator {
  constructor(
    private readonly templateSrv: TemplateSrv,
    private readonly scopedVars: ScopedVars
  ) {}

  text(value: string): string {
    return this.templateSrv.replace(value, this.scopedVars);
  }

  /** Each entry interpolated and multi-values expanded; NO_FILTER when an entry is an unrestricted "All". */
  list(values: string[]): string[] | typeof NO_FILTER {
    if (values.some((value) => this.referencesPlainAll(value))) {
      return NO_FILTER;
    }
    return interpolateList(values, (value) => this.templateSrv.replace(value, this.scopedVars, joinMultiValue));
  }

  /** A variable set to "All" without a custom all value stands for every value: no filter at all. */
  referencesPlainAll(value: string): boolean {
    const names = variableNames(value);
    if (names.length === 0) {
      return false;
    }
    const variables = this.templateSrv.getVariables();
    return names.some((name) => {
      if (this.scopedVars[name]) {
        return false;
      }
      const variable = variables.find((candidate) => candidate.name === name) as
        { current?: { value?: unknown }; allValue?: string | null } | undefined;
      const current = variable?.current?.value;
      const isAll = current === ALL_VALUE || (Array.isArray(current) && current.includes(ALL_VALUE));
      return isAll && !variable?.allValue;
    });
  }
}

/** Names of the variables a text refers to: $name, ${name}, ${name:format}, [[name]]. */
export function variableNames(text: string): string[] {
  const names: string[] = [];
  const pattern = /\$(\w+)|\$\{(\w+)(?:[.:][^}]*)?\}|\[\[(\w+)(?::[^\]]*)?\]\]/g;
  for (const match of text.matchAll(pattern)) {
    names.push(match[1] ?? match[2] ?? match[3]);
  }
  return names;
}

function interpolateFilters(filters: QueryFilters, interpolator: Interpolator, adhoc: AdhocFilter[]): QueryFilters {
  const result: QueryFilters = { ...filters };
  for (const key of TEXT_FILTER_KEYS) {
    const value = filters[key];
    if (value !== undefined) {
      if (interpolator.referencesPlainAll(value)) {
        delete result[key];
      } else {
        result[key] = interpolator.text(value).trim();
      }
    }
  }
  for (const key of LIST_FILTER_KEYS) {
    const values = filters[key];
    if (values !== undefined) {
      const interpolated = interpolator.list(values);
      if (interpolated === NO_FILTER) {
        delete result[key];
      } else {
        setListFilter(result, key, interpolated);
      }
    }
  }
  const saved = (filters.adhoc ?? [])
    .filter((filter) => !interpolator.referencesPlainAll(filter.value))
    .map((filter) => ({ ...filter, value: interpolator.text(filter.value) }));
  const all = [...saved, ...adhoc];
  if (all.length > 0) {
    result.adhoc = all;
  } else {
    delete result.adhoc;
  }
  return result;
}

function setListFilter(filters: QueryFilters, key: ListFilterKey, values: string[]) {
  if (key === 'outcome') {
    filters.outcome = values as QueryFilters['outcome'];
  } else {
    filters[key] = values;
  }
}

const ADHOC_OPERATORS: Record<string, AdhocOperator> = { '=': '=', '!=': '!=', '=~': '=~', '!~': '!~' };

/**
 * Grafana ad hoc filters as query filters: keys must be dimensions; "one of" (`=|`) and
 * "not one of" (`!=|`) become anchored regular expressions. Other operators (<, >) do not apply.
 */
export function toAdhocFilters(filters: AdHocVariableFilter[]): AdhocFilter[] {
  const result: AdhocFilter[] = [];
  for (const filter of filters) {
    if (!isDimension(filter.key)) {
      continue;
    }
    const operator = ADHOC_OPERATORS[filter.operator];
    if (operator) {
      result.push({ key: filter.key, operator, value: filter.value });
    } else if ((filter.operator === '=|' || filter.operator === '!=|') && filter.values?.length) {
      result.push({
        key: filter.key,
        operator: filter.operator === '=|' ? '=~' : '!~',
        value: `^(?:${filter.values.map(escapeRegExp).join('|')})$`,
      });
    }
  }
  return result;
}

/** Escapes RE2 metacharacters so a value matches itself. */
export function escapeRegExp(value: string): string {
  return value.replace(/[\\^$.|?*+()[\]{}]/g, '\\$&');
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
