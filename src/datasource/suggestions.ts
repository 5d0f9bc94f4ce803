import type { TimeRange } from '@grafana/data';

import type { Dimension } from 'shared/query';

/** Fields the backend's `suggestions` resource lists values of (contract §3). */
export type SuggestionField = Dimension | 'collection' | 'tag' | 'team';

export const REPORT_SUGGESTION_FIELDS: SuggestionField[] = ['collection', 'tag', 'team'];

export interface Suggestion {
  value: string;
  /** The API name for `api` (value = id), else equal to value. */
  label: string;
  /** How often the value occurs, most frequent first. */
  count: number;
}

export interface SuggestionsResponse {
  values?: Suggestion[];
}

export interface SuggestionRequest {
  field: SuggestionField;
  prefix?: string;
  range?: TimeRange;
  limit?: number;
}

/** Query parameters of `GET suggestions`; the time range is sent as epoch milliseconds. */
export function suggestionParams({ field, prefix, range, limit }: SuggestionRequest): Record<string, string | number> {
  const params: Record<string, string | number> = { field };
  if (prefix) {
    params.prefix = prefix;
  }
  if (range) {
    params.from = range.from.valueOf();
    params.to = range.to.valueOf();
  }
  if (limit !== undefined) {
    params.limit = limit;
  }
  return params;
}

/** Keeps well-formed entries of an answer (the backend's answer is checked, not trusted). */
export function readSuggestions(response: SuggestionsResponse | undefined): Suggestion[] {
  const values = Array.isArray(response?.values) ? response.values : [];
  return values
    .filter((entry) => entry && typeof entry.value === 'string')
    .map((entry) => ({
      value: entry.value,
      label: typeof entry.label === 'string' && entry.label !== '' ? entry.label : entry.value,
      count: typeof entry.count === 'number' ? entry.count : 0,
    }));
}
