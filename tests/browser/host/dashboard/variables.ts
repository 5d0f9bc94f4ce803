/**
 * Dashboard template variables, as Grafana's variable system sets them up: the current value
 * from the URL (`var-<name>`) or the saved dashboard, the options of a `datasource` variable from
 * the data source list, of a `query` variable from the data source's variable support, of a
 * `custom` variable from its text, and ad hoc filters from `var-<name>=key|op|value`.
 */
import { isObservable, lastValueFrom } from 'rxjs';
import {
  type AdHocVariableFilter,
  CoreApp,
  type DataFrame,
  type DataQueryRequest,
  type DataQueryResponse,
  type DataSourceApi,
  type MetricFindValue,
  type TimeRange,
} from '@grafana/data';
import { getDataSourceSrv } from '@grafana/runtime';

import type { VariableModel } from './model';
import { ALL_TEXT, ALL_VALUE, type HostVariable, hostTemplateSrv } from './templateSrv';

type Option = { text: string; value: string };

/** Sets up every variable in order (later ones may refer to earlier ones), with errors per variable. */
export async function resolveVariables(
  models: VariableModel[],
  search: URLSearchParams,
  range: TimeRange
): Promise<{ variables: HostVariable[]; errors: Record<string, string> }> {
  const variables: HostVariable[] = [];
  const errors: Record<string, string> = {};
  for (const model of models) {
    let options: Option[] = [];
    try {
      // Each variable sees the ones before it (a query may use them).
      hostTemplateSrv.setState(variables, range);
      options = await variableOptions(model, range);
    } catch (error) {
      errors[model.name] = error instanceof Error ? error.message : String(error);
    }
    variables.push(withCurrent(model, options, search));
  }
  hostTemplateSrv.setState(variables, range);
  return { variables, errors };
}

async function variableOptions(model: VariableModel, range: TimeRange): Promise<Option[]> {
  switch (model.type) {
    case 'datasource': {
      const pluginId = typeof model.query === 'string' ? model.query : '';
      return getDataSourceSrv()
        .getList({ pluginId })
        .map((settings) => ({ text: settings.name, value: settings.uid }));
    }
    case 'custom':
      return customOptions(String(model.query ?? ''));
    case 'query':
      return queryOptions(model, range);
    case 'constant':
    case 'textbox':
      return [{ text: String(model.query ?? ''), value: String(model.query ?? '') }];
    case 'interval':
      return String(model.query ?? '')
        .split(',')
        .map((value) => ({ text: value.trim(), value: value.trim() }));
    default:
      return model.options?.map(({ text, value }) => ({ text: String(text), value: String(value) })) ?? [];
  }
}

/** Grafana's custom variable: `a,b` or `Text : value,…`; `\,` escapes a comma. */
function customOptions(query: string): Option[] {
  return (query.match(/(?:\\,|[^,])+/g) ?? []).map((entry) => {
    const text = entry.trim().replace(/\\,/g, ',');
    const pair = /^(.+?)\s:\s(.+)$/.exec(text);
    return pair ? { text: pair[1].trim(), value: pair[2].trim() } : { text, value: text };
  });
}

/** A query variable's values through its data source's variable support, as Grafana runs them. */
async function queryOptions(model: VariableModel, range: TimeRange): Promise<Option[]> {
  const datasource = await getDataSourceSrv().get(
    typeof model.datasource === 'string' ? model.datasource : (model.datasource ?? null)
  );
  let values: Option[];
  const support = datasource.variables as
    { query?: (request: DataQueryRequest) => unknown; getType?: () => string } | undefined;
  if (support?.query) {
    const request = {
      app: CoreApp.Dashboard,
      requestId: `variable-${model.name}`,
      interval: '1m',
      intervalMs: 60_000,
      range,
      scopedVars: {},
      startTime: Date.now(),
      timezone: 'browser',
      targets: [{ refId: `var-${model.name}`, ...(model.query as object) }],
    } as DataQueryRequest;
    const result = support.query(request) as Promise<DataQueryResponse> | ReturnType<typeof lastValueFrom>;
    const response = (isObservable(result) ? await lastValueFrom(result) : await result) as DataQueryResponse;
    values = framesToOptions(response.data as DataFrame[]);
  } else if (datasource.metricFindQuery) {
    values = metricValues(await datasource.metricFindQuery(model.query, { range, variable: model }));
  } else {
    throw new Error(`${datasourceName(datasource)} has no variable support`);
  }
  if (model.regex) {
    const pattern = new RegExp(model.regex.replace(/^\/(.*)\/\w*$/, '$1'));
    values = values.filter((option) => pattern.test(option.text));
  }
  const seen = new Set<string>();
  return values.filter((option) => !seen.has(option.value) && seen.add(option.value));
}

function datasourceName(datasource: DataSourceApi) {
  return datasource.name ?? datasource.type;
}

function metricValues(values: MetricFindValue[]): Option[] {
  return values.map((value) => ({ text: String(value.text), value: String(value.value ?? value.text) }));
}

/** Grafana turns frames into options by their `text` and `value` fields (or the first field). */
function framesToOptions(frames: DataFrame[]): Option[] {
  const options: Option[] = [];
  for (const frame of frames) {
    const text = frame.fields.find((field) => field.name === 'text') ?? frame.fields[0];
    const value = frame.fields.find((field) => field.name === 'value') ?? text;
    text?.values.forEach((entry, row) => options.push({ text: String(entry), value: String(value?.values[row]) }));
  }
  return options;
}

/** The variable with its current value: the URL's, else the saved one if still an option, else the first option. */
function withCurrent(model: VariableModel, options: Option[], search: URLSearchParams): HostVariable {
  const variable: HostVariable = {
    name: model.name,
    type: model.type,
    label: model.label,
    multi: model.multi,
    includeAll: model.includeAll,
    allValue: model.allValue,
    hide: model.hide,
    datasource: model.datasource,
    query: model.query,
    current: { text: '', value: '' },
    options: [...(model.includeAll ? [{ text: ALL_TEXT, value: ALL_VALUE }] : []), ...options],
  };
  const key = `var-${model.name}`;
  if (model.type === 'adhoc') {
    variable.filters = search.getAll(key).filter(Boolean).map(parseAdhocFilter).filter(isFilter);
    return variable;
  }
  const fromUrl = search.getAll(key);
  const saved = model.current?.value;
  let values: string[] =
    fromUrl.length > 0
      ? fromUrl
      : saved === undefined
        ? []
        : Array.isArray(saved)
          ? saved.map(String)
          : [String(saved)];
  // Grafana also takes "All" and option texts in the URL.
  values = values.map((value) =>
    value === ALL_TEXT && model.includeAll
      ? ALL_VALUE
      : (variable.options.find((option) => option.value === value || option.text === value)?.value ?? value)
  );
  const known = values.filter((value) => variable.options.some((option) => option.value === value));
  if (model.type === 'datasource' && known.length === 0) {
    // Grafana picks the default data source of the right type, else the first.
    const fallback = getDataSourceSrv().getInstanceSettings(null);
    const first = options.find((option) => option.value === fallback?.uid) ?? options[0];
    values = first ? [first.value] : [];
  } else if (known.length > 0) {
    values = model.multi ? known : [known[0]];
  } else if (variable.options.length > 0 && !['textbox', 'constant'].includes(model.type)) {
    values = [variable.options[0].value];
  }
  const texts = values.map((value) => variable.options.find((option) => option.value === value)?.text ?? value);
  variable.current = model.multi ? { value: values, text: texts } : { value: values[0] ?? '', text: texts[0] ?? '' };
  return variable;
}

/** Grafana's ad hoc filter URL form: `key|operator|value` (pipes in parts written as `__gfp__`). */
export function parseAdhocFilter(text: string): AdHocVariableFilter | undefined {
  const parts = text.split('|').map((part) => part.replace(/__gfp__/g, '|'));
  if (parts.length < 3) {
    return undefined;
  }
  const [key, operator, ...rest] = parts;
  if (operator === '=|' || operator === '!=|') {
    return { key, operator, value: rest[0] ?? '', values: rest };
  }
  return { key, operator, value: rest.join('|') };
}

export function formatAdhocFilter(filter: AdHocVariableFilter): string {
  const escape = (part: string) => part.replace(/\|/g, '__gfp__');
  const values = filter.values?.length ? filter.values : [filter.value];
  return [filter.key, filter.operator, ...values].map(escape).join('|');
}

function isFilter(filter: AdHocVariableFilter | undefined): filter is AdHocVariableFilter {
  return filter !== undefined;
}

/** The current value as URL parameter values. */
export function urlValues(variable: HostVariable): string[] {
  return Array.isArray(variable.current.value) ? variable.current.value : [variable.current.value];
}
