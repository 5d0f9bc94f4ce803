import type { DataFrame, Field } from '@grafana/data';

import { OUTCOMES, type OutcomeName } from 'shared/outcomes';
import { DEFAULT_TOPN_OPTIONS, type TopNPanelOptions, type TopNValue } from './types';

/** The remainder row's value (query.OtherValue in the backend). */
export const OTHER_VALUE = 'other';

const NUMERIC_COLUMNS = ['count', 'allowed', 'blocked', 'wouldBlock', 'unmatched', 'share'] as const;

export interface TopNRow {
  /** The dimension value (the filter value on click). */
  value: string;
  /** What to show: the API's name for `api`, else the value. */
  label: string;
  count: number;
  byOutcome: Record<OutcomeName, number>;
  share: number;
  /** The remainder row. */
  isOther: boolean;
}

export interface TopNModel {
  /** The dimension's column name, e.g. clientIp. */
  dimension: string;
  rows: TopNRow[];
  /** Sum of every row's count (the matching transactions). */
  total: number;
  /** Largest shown metric value of the value rows (the remainder aside), for bar scaling. */
  max: number;
}

/** Sanitised options: saved dashboards may hold anything. */
export function normaliseOptions(options: Partial<TopNPanelOptions> | undefined): TopNPanelOptions {
  const o = { ...DEFAULT_TOPN_OPTIONS, ...options };
  const limit =
    typeof o.limit === 'number' && Number.isFinite(o.limit) && o.limit >= 1
      ? Math.min(Math.floor(o.limit), 100000)
      : DEFAULT_TOPN_OPTIONS.limit;
  return {
    limit,
    value: ['count', 'blocked', 'blockedRatio'].includes(o.value) ? o.value : 'count',
    sort: o.sort === 'label' ? 'label' : 'value',
    showOther: o.showOther !== false,
    clickAction: ['none', 'variable', 'adhoc', 'explorer'].includes(o.clickAction) ? o.clickAction : 'explorer',
    variableName: typeof o.variableName === 'string' ? o.variableName.trim().replace(/^\$/, '') : '',
  };
}

function numberAt(field: Field | undefined, index: number): number {
  const value = field?.values[index];
  const n = typeof value === 'number' ? value : Number(value);
  return Number.isFinite(n) ? n : 0;
}

/** Finds the dimension column of a topN frame: the string field that is not apiName. */
export function dimensionField(frame: DataFrame): Field | undefined {
  const numeric = new Set<string>(NUMERIC_COLUMNS);
  return frame.fields.find((field) => field.name !== 'apiName' && !numeric.has(field.name));
}

/** Whether a frame looks like a topN result. */
export function isTopNFrame(frame: DataFrame): boolean {
  return frame.fields.some((field) => field.name === 'count') && dimensionField(frame) !== undefined;
}

export function metricOf(row: Pick<TopNRow, 'count' | 'byOutcome'>, value: TopNValue): number {
  switch (value) {
    case 'blocked':
      return row.byOutcome.blocked;
    case 'blockedRatio':
      return row.count > 0 ? row.byOutcome.blocked / row.count : 0;
    default:
      return row.count;
  }
}

/**
 * The rows to draw from a topN frame: ranked by the chosen value (or label), cut to `limit`, the cut
 * rows folded into the remainder row, which stays last (or is dropped when `showOther` is off).
 */
export function buildTopNModel(
  frame: DataFrame | undefined,
  rawOptions: Partial<TopNPanelOptions>
): TopNModel | undefined {
  if (!frame || !isTopNFrame(frame)) {
    return undefined;
  }
  const options = normaliseOptions(rawOptions);
  const dimension = dimensionField(frame)!;
  const byName = (name: string) => frame.fields.find((field) => field.name === name);
  const apiName = byName('apiName');
  const count = byName('count');
  const share = byName('share');
  const outcomeFields = Object.fromEntries(OUTCOMES.map((outcome) => [outcome, byName(outcome)])) as Record<
    OutcomeName,
    Field | undefined
  >;
  const length = frame.length ?? dimension.values.length;

  const rows: TopNRow[] = [];
  let other: TopNRow | undefined;
  for (let index = 0; index < length; index++) {
    const raw = dimension.values[index];
    const value = raw === null || raw === undefined ? '' : String(raw);
    const name = apiName?.values[index];
    const row: TopNRow = {
      value,
      label: typeof name === 'string' && name !== '' ? name : value,
      count: numberAt(count, index),
      byOutcome: Object.fromEntries(
        OUTCOMES.map((outcome) => [outcome, numberAt(outcomeFields[outcome], index)])
      ) as Record<OutcomeName, number>,
      share: numberAt(share, index),
      isOther: false,
    };
    // The backend puts the remainder last; a real value "other" could only come before it.
    if (value === OTHER_VALUE && index === length - 1 && length > 1) {
      other = { ...row, isOther: true, label: 'Other' };
    } else {
      rows.push(row);
    }
  }
  const total = rows.reduce((sum, row) => sum + row.count, 0) + (other?.count ?? 0);

  const metric = (row: TopNRow) => metricOf(row, options.value);
  const ranked = [...rows].sort((a, b) =>
    options.sort === 'label'
      ? a.label.localeCompare(b.label, undefined, { numeric: true }) || a.value.localeCompare(b.value)
      : metric(b) - metric(a) || b.count - a.count || a.label.localeCompare(b.label, undefined, { numeric: true })
  );
  // With "sort by label", rank first (the top N by value), then order those by label.
  let kept =
    options.sort === 'label'
      ? [...rows].sort((a, b) => metric(b) - metric(a) || b.count - a.count).slice(0, options.limit)
      : ranked.slice(0, options.limit);
  const cut = rows.filter((row) => !kept.includes(row));
  if (options.sort === 'label') {
    kept = ranked.filter((row) => kept.includes(row));
  }
  if (cut.length > 0) {
    other = cut.reduce<TopNRow>(
      (sum, row) => ({
        ...sum,
        count: sum.count + row.count,
        share: sum.share + row.share,
        byOutcome: Object.fromEntries(
          OUTCOMES.map((outcome) => [outcome, sum.byOutcome[outcome] + row.byOutcome[outcome]])
        ) as Record<OutcomeName, number>,
      }),
      other ?? {
        value: OTHER_VALUE,
        label: 'Other',
        count: 0,
        share: 0,
        byOutcome: { allowed: 0, blocked: 0, wouldBlock: 0, unmatched: 0 },
        isOther: true,
      }
    );
  }
  const shown = options.showOther && other && other.count > 0 ? [...kept, other] : kept;
  // Bars scale to the largest value row: a large remainder would otherwise flatten them all. The
  // remainder's own bar then fills its track (barSegments never exceeds the track).
  const valueRows = shown.filter((row) => !row.isOther);
  const max = Math.max(0, ...(valueRows.length > 0 ? valueRows : shown).map(metric));
  return { dimension: dimension.name, rows: shown, total, max };
}

export interface BarSegment {
  outcome: OutcomeName;
  /** Share of the track width, 0–1. */
  width: number;
  count: number;
}

/**
 * The coloured segments of one bar. `count`: the row's count split by outcome, scaled to the largest
 * row. `blocked`: the blocked part only. `blockedRatio`: blocked / count of the row, on a 0–1 scale.
 */
export function barSegments(row: TopNRow, value: TopNValue, max: number): BarSegment[] {
  if (value === 'blockedRatio') {
    const ratio = row.count > 0 ? row.byOutcome.blocked / row.count : 0;
    return ratio > 0 ? [{ outcome: 'blocked', width: ratio, count: row.byOutcome.blocked }] : [];
  }
  const scale = Math.max(max, metricOf(row, value));
  if (scale <= 0) {
    return [];
  }
  const outcomes: readonly OutcomeName[] = value === 'blocked' ? ['blocked'] : OUTCOMES;
  return outcomes
    .map((outcome) => ({ outcome, width: row.byOutcome[outcome] / scale, count: row.byOutcome[outcome] }))
    .filter((segment) => segment.count > 0);
}

const countFormat = new Intl.NumberFormat('en-US');
const compactFormat = new Intl.NumberFormat('en-US', { notation: 'compact', maximumFractionDigits: 1 });

export function formatPercent(ratio: number): string {
  const pct = ratio * 100;
  return `${pct >= 10 || pct === 0 ? pct.toFixed(0) : pct.toFixed(1)}%`;
}

/** The number printed next to a bar. */
export function valueText(row: TopNRow, value: TopNValue, compact: boolean): string {
  const format = (n: number) => (compact ? compactFormat.format(n) : countFormat.format(n));
  switch (value) {
    case 'blocked':
      return format(row.byOutcome.blocked);
    case 'blockedRatio':
      return formatPercent(metricOf(row, 'blockedRatio'));
    default:
      return compact ? format(row.count) : `${format(row.count)} · ${formatPercent(row.share)}`;
  }
}

/** Tooltip / accessible description of a row: every count and the share. */
export function rowDescription(row: TopNRow): string {
  const parts = OUTCOMES.filter((outcome) => row.byOutcome[outcome] > 0).map(
    (outcome) => `${outcome} ${countFormat.format(row.byOutcome[outcome])}`
  );
  return `${countFormat.format(row.count)} transactions (${formatPercent(row.share)})${parts.length ? `: ${parts.join(', ')}` : ''}`;
}
