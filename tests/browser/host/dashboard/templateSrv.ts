/**
 * The host's TemplateSrv: dashboard variables, the time range, ad hoc filters and the data-link
 * macros, interpolated the way Grafana's templateSrv does for what our dashboards use
 * (public/app/features/templating/template_srv.ts, formatRegistry.ts and macros/dataMacros.ts in
 * Grafana's repository): `$var`, `${var}`, `${var:format}`, `[[var]]`, `${__from}` / `${__to}`
 * (`:date`, `:date:iso`, `:date:seconds`), `${__interval}`, `${__value.raw}` and friends from a
 * data link's `__dataContext`, multi-value variables (glob by default) and "All".
 */
import {
  type AdHocVariableFilter,
  type DataFrame,
  type Field,
  getFieldDisplayName,
  getFrameDisplayName,
  type ScopedVars,
  type TimeRange,
  type TypedVariableModel,
} from '@grafana/data';
import type { TemplateSrv } from '@grafana/runtime';

import { rangeToUrl } from './model';

export const ALL_VALUE = '$__all';
export const ALL_TEXT = 'All';

/** A dashboard variable as the host keeps it (the fields of Grafana's variable model the plugin reads). */
export interface HostVariable {
  name: string;
  type: string;
  label?: string;
  multi?: boolean;
  includeAll?: boolean;
  allValue?: string | null;
  hide?: number;
  current: { text: string | string[]; value: string | string[] };
  options: Array<{ text: string; value: string; selected?: boolean }>;
  /** ad hoc variables only */
  filters?: AdHocVariableFilter[];
  datasource?: unknown;
  query?: unknown;
}

/** Grafana's variable reference pattern (public/app/features/variables/utils.ts). */
const VARIABLE_PATTERN = /\$(\w+)|\[\[(\w+?)(?::(\w+))?\]\]|\${(\w+)(?:\.([^:^}]+))?(?::([^}]+))?}/g;

type FormatFunction = (value: unknown, variable?: unknown, defaultFormat?: unknown) => string;

export class HostTemplateSrv implements TemplateSrv {
  private variables: HostVariable[] = [];
  private timeRange?: TimeRange;

  /** Called by the dashboard view whenever its variables or time range change. */
  setState(variables: HostVariable[], timeRange?: TimeRange) {
    this.variables = variables;
    if (timeRange) {
      this.timeRange = timeRange;
    }
  }

  getVariables(): TypedVariableModel[] {
    return this.variables as unknown as TypedVariableModel[];
  }

  /** Ad hoc filters of every ad hoc variable (Grafana before 11 handed them out this way). */
  getAdhocFilters(_datasourceName?: string): AdHocVariableFilter[] {
    return this.variables.flatMap((variable) => (variable.type === 'adhoc' ? (variable.filters ?? []) : []));
  }

  containsTemplate(target?: string): boolean {
    if (!target) {
      return false;
    }
    for (const match of target.matchAll(VARIABLE_PATTERN)) {
      const name = match[1] ?? match[2] ?? match[4];
      if (name && (this.variables.some((variable) => variable.name === name) || name.startsWith('__'))) {
        return true;
      }
    }
    return false;
  }

  updateTimeRange(timeRange: TimeRange): void {
    this.timeRange = timeRange;
  }

  replace(target?: string, scopedVars?: ScopedVars, format?: string | Function): string {
    if (!target) {
      return target ?? '';
    }
    return target.replace(VARIABLE_PATTERN, (match, var1, var2, fmt2, var3, fieldPath, fmt3) => {
      const name: string = var1 ?? var2 ?? var3;
      const fmt: string | Function | undefined = fmt2 ?? fmt3 ?? format;
      const resolved = this.resolve(name, fieldPath, scopedVars, fmt);
      return resolved === undefined ? match : resolved;
    });
  }

  private resolve(
    name: string,
    fieldPath: string | undefined,
    scopedVars: ScopedVars | undefined,
    fmt: string | Function | undefined
  ): string | undefined {
    const scoped = scopedVars?.[name];
    if (scoped) {
      const value = fieldPath ? getPath(scoped.value, fieldPath) : scoped.value;
      if (fmt === 'text' && scoped.text !== undefined && !fieldPath) {
        return String(scoped.text);
      }
      return format(value, fmt, undefined);
    }
    const macro = this.macro(name, fieldPath, scopedVars, fmt);
    if (macro !== undefined) {
      return macro;
    }
    const variable = this.variables.find((candidate) => candidate.name === name);
    if (!variable) {
      return undefined;
    }
    if (variable.type === 'adhoc') {
      // Grafana leaves ad hoc variables out of text interpolation: they reach queries as filters.
      return '';
    }
    let value: unknown = variable.current.value;
    let text: unknown = variable.current.text;
    if (fmt === 'queryparam' && isAll(value)) {
      // Grafana's dashboards are scenes since 11: the queryparam format writes the variable's URL
      // state (@grafana/scenes formatRegistry: variable.urlSync.getUrlState()), "All" as $__all.
      return `var-${name}=${ALL_VALUE}`;
    }
    if (isAll(value)) {
      text = ALL_TEXT;
      if (variable.allValue) {
        if (fmt !== 'text' && fmt !== 'percentencode') {
          return this.replace(variable.allValue);
        }
        value = variable.allValue;
      } else {
        value = variable.options.map((option) => option.value).filter((option) => option !== ALL_VALUE);
      }
    }
    if (fmt === 'text') {
      return Array.isArray(text) ? text.join(' + ') : String(text);
    }
    if (fmt === 'queryparam') {
      const values = Array.isArray(value) ? value : [value];
      return values.map((entry) => `var-${name}=${encodeURIComponent(String(entry))}`).join('&');
    }
    return format(value, fmt, variable);
  }

  /** Built-in variables and the data-link macros Grafana resolves from `__dataContext`. */
  private macro(
    name: string,
    fieldPath: string | undefined,
    scopedVars: ScopedVars | undefined,
    fmt: string | Function | undefined
  ): string | undefined {
    switch (name) {
      case '__from':
      case '__to': {
        const time = name === '__from' ? this.timeRange?.from : this.timeRange?.to;
        return time ? formatDate(time.valueOf(), typeof fmt === 'string' ? fmt : undefined) : undefined;
      }
      case '__url_time_range':
        // Grafana's urlTimeRangeMacro: the range as the dashboard URL has it (relative as typed,
        // absolute as epoch ms), e.g. from=now-6h&to=now. Documented with the data link variables:
        // https://grafana.com/docs/grafana/latest/panels-visualizations/configure-data-links/
        return this.timeRange ? urlTimeRange(this.timeRange) : undefined;
      case '__dashboard':
      case '__user':
      case '__org':
        return undefined;
    }
    const context = scopedVars?.__dataContext?.value as
      | { frame?: DataFrame; field?: Field; rowIndex?: number; calculatedValue?: { numeric: number; text: string } }
      | undefined;
    if (!context) {
      return undefined;
    }
    const { frame, field, rowIndex } = context;
    switch (name) {
      case '__value': {
        const raw =
          context.calculatedValue?.numeric ?? (field && rowIndex !== undefined ? field.values[rowIndex] : undefined);
        const path = fieldPath ?? 'raw';
        if (path === 'raw') {
          return format(raw, fmt, undefined);
        }
        if (path === 'numeric') {
          return format(Number(raw), fmt, undefined);
        }
        if (path === 'text') {
          return format(context.calculatedValue?.text ?? field?.display?.(raw).text ?? String(raw), fmt, undefined);
        }
        if (path === 'time' && frame && rowIndex !== undefined) {
          const time = frame.fields.find((candidate) => candidate.type === 'time');
          return format(time?.values[rowIndex], fmt, undefined);
        }
        return undefined;
      }
      case '__field':
        if (!field) {
          return undefined;
        }
        if (fieldPath === 'name') {
          return format(field.name, fmt, undefined);
        }
        if (fieldPath === 'displayName') {
          return format(frame ? getFieldDisplayName(field, frame) : field.name, fmt, undefined);
        }
        if (fieldPath?.startsWith('labels.')) {
          return format(field.labels?.[fieldPath.slice('labels.'.length)] ?? '', fmt, undefined);
        }
        return undefined;
      case '__series':
        return fieldPath === 'name' && frame ? format(getFrameDisplayName(frame), fmt, undefined) : undefined;
      case '__data': {
        // ${__data.fields.name} or ${__data.fields["name"]}: the row's value of another field.
        const fieldName = /^fields(?:\.([^[]+)|\["([^"]+)"\]|\[(\d+)\])(?:\.|$)/.exec(fieldPath ?? '');
        if (!fieldName || !frame || rowIndex === undefined) {
          return undefined;
        }
        const other =
          fieldName[3] !== undefined
            ? frame.fields[Number(fieldName[3])]
            : dataField(frame, fieldName[1] ?? fieldName[2]);
        return other ? format(other.values[rowIndex], fmt, undefined) : undefined;
      }
    }
    return undefined;
  }
}

/**
 * The field `${__data.fields.<key>}` reads, in the order of Grafana's getFieldDisplayValuesProxy
 * (public/app/features/dashboard/.../fieldDisplayValuesProxy.ts): the field's name, then an index,
 * then its configured display name (an organize transformation's rename), then its `name` label.
 */
export function dataField(frame: DataFrame, key: string): Field | undefined {
  return (
    frame.fields.find((field) => field.name === key) ??
    (/^\d+$/.test(key) ? frame.fields[Number(key)] : undefined) ??
    frame.fields.find((field) => field.config.displayName === key) ??
    frame.fields.find((field) => field.labels?.name === key)
  );
}

/** `${__url_time_range}`: from and to as the URL carries them (relative text, or epoch ms). */
export function urlTimeRange(range: TimeRange): string {
  const { from, to } = rangeToUrl(range);
  return `from=${encodeURIComponent(from)}&to=${encodeURIComponent(to)}`;
}

function isAll(value: unknown): boolean {
  return value === ALL_VALUE || (Array.isArray(value) && value.length > 0 && value[0] === ALL_VALUE);
}

function getPath(value: unknown, path: string): unknown {
  let current = value;
  for (const part of path.split('.')) {
    if (current === null || current === undefined) {
      return undefined;
    }
    current = (current as Record<string, unknown>)[part];
  }
  return current;
}

function formatDate(ms: number, fmt: string | undefined): string {
  if (fmt === 'date' || fmt === 'date:iso') {
    return new Date(ms).toISOString();
  }
  if (fmt === 'date:seconds') {
    return String(Math.floor(ms / 1000));
  }
  return String(ms);
}

function escapeRegExp(value: string): string {
  return value.replace(/[\\^$*+?.()|[\]{}/]/g, '\\$&');
}

/** Grafana's format registry, for the formats our dashboards and data source use. */
function format(value: unknown, fmt: string | Function | undefined, variable: HostVariable | undefined): string {
  if (typeof fmt === 'function') {
    return (fmt as FormatFunction)(value, variable, format);
  }
  if (value === undefined || value === null) {
    return '';
  }
  const values = Array.isArray(value) ? value.map(String) : undefined;
  const single = values ? undefined : String(value);
  switch (fmt) {
    case 'raw':
      return values ? values.join(',') : single!;
    case 'csv':
      return values ? values.join(',') : single!;
    case 'pipe':
      return values ? values.join('|') : single!;
    case 'json':
      return JSON.stringify(value);
    case 'regex':
      if (values) {
        return values.length === 1 ? escapeRegExp(values[0]) : `(${values.map(escapeRegExp).join('|')})`;
      }
      return escapeRegExp(single!);
    case 'percentencode':
      return values ? encodeURIComponent(`{${values.join(',')}}`) : encodeURIComponent(single!);
    case 'singlequote':
      return (values ?? [single!]).map((entry) => `'${entry.replace(/'/g, "\\'")}'`).join(',');
    case 'doublequote':
      return (values ?? [single!]).map((entry) => `"${entry.replace(/"/g, '\\"')}"`).join(',');
    case 'sqlstring':
      return (values ?? [single!]).map((entry) => `'${entry.replace(/'/g, "''")}'`).join(',');
    case 'html':
      return (values ?? [single!]).map((entry) => entry.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`)).join(', ');
    case 'glob':
    default:
      // Grafana's default for several values is glob: {a,b}.
      if (values) {
        return values.length === 1 ? values[0] : `{${values.join(',')}}`;
      }
      return single!;
  }
}

export const hostTemplateSrv = new HostTemplateSrv();
