import { dateMath, dateTime, type DataFrame, type TimeRange } from '@grafana/data';

import { type ExplorerState, LIST_PARAMS } from 'shared/explorerUrl';
import { EXPLORER_TEXT_KEYS, FILTER_SPECS, type FilterSpec } from 'shared/filters';
import { OUTCOME_LABELS, type OutcomeName } from 'shared/outcomes';

export const DEFAULT_FROM = 'now-24h';
export const DEFAULT_TO = 'now';

/** One row of the `transactions` frame (docs/query-model.md). */
export interface TransactionRow {
  time?: number;
  uuid: string;
  method: string;
  path: string;
  status?: number;
  outcome: string;
  reason: string;
  errorStep: string;
  instance: string;
  clientIp: string;
  api: string;
  apiName: string;
  hostname: string;
  operation: string;
  /** µs; undefined when the record has none. */
  duration?: number;
}

/** The URL's from/to (Grafana syntax or epoch ms) as a time range; last 24 hours by default. */
export function explorerTimeRange(state: Pick<ExplorerState, 'from' | 'to'>, now = Date.now()): TimeRange {
  const parse = (text: string | undefined, fallback: string, roundUp: boolean) => {
    const raw = text ?? fallback;
    if (/^\d+$/.test(raw)) {
      return { raw, time: dateTime(Number(raw)) };
    }
    const parsed = dateMath.toDateTime(raw, { roundUp, now: dateTime(now) });
    return parsed?.isValid()
      ? { raw, time: parsed }
      : { raw: fallback, time: dateMath.toDateTime(fallback, { roundUp, now: dateTime(now) })! };
  };
  const from = parse(state.from, DEFAULT_FROM, false);
  const to = parse(state.to, DEFAULT_TO, true);
  return { from: from.time, to: to.time, raw: { from: from.raw, to: to.raw } };
}

/** The URL form of a picked time range: relative ranges as typed (now-6h), absolute ones as epoch ms. */
export function rangeToState(range: TimeRange): Pick<ExplorerState, 'from' | 'to'> {
  const raw = (value: TimeRange['raw']['from'], time: TimeRange['from']) =>
    typeof value === 'string' ? value : String(time.valueOf());
  return { from: raw(range.raw.from, range.from), to: raw(range.raw.to, range.to) };
}

/** The `transactions` query for the explorer's filters (contract §2 names). */
export function transactionsQuery(state: ExplorerState, limit: number): Record<string, unknown> {
  const filters: Record<string, unknown> = {};
  for (const name of LIST_PARAMS) {
    if (state[name].length > 0) {
      filters[name] = state[name];
    }
  }
  if (state.api.length === 0 && state.apiName?.length) {
    // Names alone (a link without ids): the api filter takes names too.
    filters.api = state.apiName;
  }
  for (const name of EXPLORER_TEXT_KEYS) {
    if (state[name]) {
      filters[name] = state[name];
    }
  }
  return { queryType: 'transactions', limit, filters };
}

/** One filter as the explorer shows it applied: its label and its values as text. */
export interface AppliedFilter {
  key: string;
  label: string;
  values: string[];
}

/** "Petstore (a1b2)": an API id with the name a link gave for it. */
function apiValues(state: Pick<ExplorerState, 'api' | 'apiName'>): string[] {
  const names = state.apiName ?? [];
  if (state.api.length === 0) {
    return names;
  }
  // Names pair with ids by position only when the link gave one name per id.
  const paired = names.length === state.api.length;
  return state.api.map((id, index) => (paired && names[index] !== id ? `${names[index]} (${id})` : id));
}

/**
 * Every filter the state applies, in the query editor's order, with readable values: what a
 * drill-down link brought, including the filters the bar has no box for (collection, operation,
 * error step or message, hostname, client geography).
 */
export function appliedFilters(state: ExplorerState): AppliedFilter[] {
  const applied: AppliedFilter[] = [];
  for (const spec of FILTER_SPECS as readonly FilterSpec[]) {
    if (!spec.explorer) {
      continue;
    }
    const label = spec.explorer.label ?? spec.label;
    if (spec.key === 'api') {
      const values = apiValues(state);
      if (values.length > 0) {
        applied.push({ key: 'api', label, values });
      }
      continue;
    }
    const raw = (state as unknown as Record<string, string[] | string | undefined>)[spec.key];
    const values = Array.isArray(raw) ? raw : raw ? [raw] : [];
    if (values.length > 0) {
      applied.push({
        key: spec.key,
        label,
        values: spec.key === 'outcome' ? values.map((value) => OUTCOME_LABELS[value as OutcomeName] ?? value) : values,
      });
    }
  }
  return applied;
}

function at(frame: DataFrame, name: string, index: number): unknown {
  return frame.fields.find((field) => field.name === name)?.values[index];
}

function str(value: unknown): string {
  return value === null || value === undefined ? '' : String(value);
}

function optNumber(value: unknown): number | undefined {
  return typeof value === 'number' && Number.isFinite(value) && value >= 0 ? value : undefined;
}

export function transactionRows(frames: DataFrame[]): TransactionRow[] {
  const frame = frames.find((candidate) => candidate.fields.some((field) => field.name === 'uuid'));
  if (!frame) {
    return [];
  }
  const rows: TransactionRow[] = [];
  for (let index = 0; index < frame.length; index++) {
    const time = at(frame, 'time', index);
    rows.push({
      time: typeof time === 'number' ? time : time instanceof Date ? time.getTime() : undefined,
      uuid: str(at(frame, 'uuid', index)),
      method: str(at(frame, 'method', index)),
      path: str(at(frame, 'path', index)),
      status: optNumber(at(frame, 'status', index)),
      outcome: str(at(frame, 'outcome', index)),
      reason: str(at(frame, 'reason', index)),
      errorStep: str(at(frame, 'errorStep', index)),
      instance: str(at(frame, 'instance', index)),
      clientIp: str(at(frame, 'clientIp', index)),
      api: str(at(frame, 'api', index)),
      apiName: str(at(frame, 'apiName', index)),
      hostname: str(at(frame, 'hostname', index)),
      operation: str(at(frame, 'operation', index)),
      duration: optNumber(at(frame, 'duration', index)),
    });
  }
  return rows;
}

const OUTCOME_RANK: Record<string, number> = { blocked: 0, wouldBlock: 1 };

/** Newest first as the backend answers; with `blockedFirst`, blocked then would-block rows lead, each newest first. */
export function orderRows(rows: TransactionRow[], blockedFirst: boolean): TransactionRow[] {
  if (!blockedFirst) {
    return rows;
  }
  return rows
    .map((row, index) => ({ row, index }))
    .sort((a, b) => (OUTCOME_RANK[a.row.outcome] ?? 2) - (OUTCOME_RANK[b.row.outcome] ?? 2) || a.index - b.index)
    .map(({ row }) => row);
}
