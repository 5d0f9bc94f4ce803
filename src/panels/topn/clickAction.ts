import type { TimeRange } from '@grafana/data';

import {
  explorerParamForDimension,
  type ExplorerState,
  parseExplorerParams,
  traceExplorerUrl,
} from 'shared/explorerUrl';
import type { TopNPanelOptions } from './types';
import type { TopNRow } from './viewModel';

/** Default name of a dashboard's ad hoc filter variable. */
export const DEFAULT_ADHOC_VARIABLE = 'Filters';

export type ClickTarget =
  | { kind: 'variable'; name: string; value: string }
  | { kind: 'adhoc'; name: string; filter: string }
  | { kind: 'url'; url: string };

/** Grafana's URL form of one ad hoc filter: key|operator|value, with "|" in parts escaped. */
export function adhocFilterParam(key: string, value: string): string {
  const escape = (part: string) => part.replace(/\|/g, '__gfp__');
  return `${escape(key)}|=|${escape(value)}`;
}

/** Time of a range as the explorer's from/to: epoch ms. */
function rangeParams(range: TimeRange | undefined): Pick<ExplorerState, 'from' | 'to'> {
  if (!range) {
    return {};
  }
  return { from: String(range.from.valueOf()), to: String(range.to.valueOf()) };
}

/**
 * The filters a topN frame was computed with, read from the backend's data link on its dimension
 * field (the query's filters as Grafana interpolated them); template parameters are left out.
 */
export function linkContext(url: string | undefined): Partial<ExplorerState> {
  const query = url?.split('?')[1];
  if (!query) {
    return {};
  }
  const params = new URLSearchParams();
  for (const [key, value] of new URLSearchParams(query)) {
    if (!value.includes('${') && key !== 'from' && key !== 'to') {
      params.append(key, value);
    }
  }
  const state: Partial<ExplorerState> = parseExplorerParams(params);
  delete state.uuid;
  delete state.from;
  delete state.to;
  return state;
}

/** What a click on a row does, or undefined when it does nothing (the remainder row, action "none"). */
export function clickTarget(
  dimension: string,
  row: TopNRow,
  options: Pick<TopNPanelOptions, 'clickAction' | 'variableName'>,
  range?: TimeRange,
  context: Partial<ExplorerState> = {}
): ClickTarget | undefined {
  if (row.isOther) {
    return undefined;
  }
  switch (options.clickAction) {
    case 'variable':
      return { kind: 'variable', name: options.variableName || dimension, value: row.value };
    case 'adhoc':
      return {
        kind: 'adhoc',
        name: options.variableName || DEFAULT_ADHOC_VARIABLE,
        filter: adhocFilterParam(dimension, row.value),
      };
    case 'explorer': {
      const param = explorerParamForDimension(dimension);
      if (!param) {
        return { kind: 'url', url: traceExplorerUrl({ ...context, ...rangeParams(range) }) };
      }
      const state: Partial<ExplorerState> =
        param === 'clientIp' || param === 'path' ? { [param]: row.value } : { [param]: [row.value] };
      return { kind: 'url', url: traceExplorerUrl({ ...context, ...state, ...rangeParams(range) }) };
    }
    default:
      return undefined;
  }
}

interface LocationLike {
  partial(query: Record<string, unknown>, replace?: boolean): void;
  push(location: string): void;
  getSearch(): URLSearchParams;
}

/** Applies a click target through Grafana's location service. */
export function applyClickTarget(target: ClickTarget, location: LocationLike) {
  switch (target.kind) {
    case 'variable':
      location.partial({ [`var-${target.name}`]: target.value });
      return;
    case 'adhoc': {
      const key = `var-${target.name}`;
      const current = location
        .getSearch()
        .getAll(key)
        .filter((filter) => filter !== '');
      if (!current.includes(target.filter)) {
        location.partial({ [key]: [...current, target.filter] });
      }
      return;
    }
    case 'url':
      location.push(target.url);
      return;
  }
}
