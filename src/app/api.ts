import { lastValueFrom } from 'rxjs';
import type { DataFrame, TimeRange } from '@grafana/data';
import { getBackendSrv, isFetchError, toDataQueryResponse } from '@grafana/runtime';

import { DATASOURCE_PLUGIN_ID, dataSourceResourceUrl } from 'shared/constants';
import { isRecord } from './health';

/** Message of a failed request: the backend's `{error}` (contract §3) or Grafana's `{message}`. */
export function requestErrorMessage(error: unknown): string {
  if (isFetchError(error)) {
    const data: unknown = error.data;
    const text = isRecord(data)
      ? typeof data.error === 'string'
        ? data.error
        : typeof data.message === 'string'
          ? data.message
          : ''
      : typeof data === 'string'
        ? data
        : '';
    return [error.status, text || error.statusText].filter((part) => part !== undefined && part !== '').join(' ');
  }
  return error instanceof Error ? error.message : String(error);
}

/** GET/POST a data source resource (JSON). */
export async function resource<T>(
  uid: string,
  path: string,
  init: { method?: 'GET' | 'POST'; data?: unknown; params?: Record<string, string | number> } = {}
): Promise<T> {
  const response = await lastValueFrom(
    getBackendSrv().fetch<T>({
      url: dataSourceResourceUrl(uid, path),
      method: init.method ?? 'GET',
      data: init.data,
      params: init.params,
      showErrorAlert: false,
    })
  );
  return response.data;
}

/** Runs one query of our data source through Grafana's /api/ds/query and returns its frames. */
export async function runQuery(uid: string, query: Record<string, unknown>, range?: TimeRange): Promise<DataFrame[]> {
  const body = {
    queries: [{ refId: 'A', datasource: { uid, type: DATASOURCE_PLUGIN_ID }, ...query }],
    from: String(range ? range.from.valueOf() : Date.now() - 24 * 3600 * 1000),
    to: String(range ? range.to.valueOf() : Date.now()),
  };
  try {
    const response = await lastValueFrom(
      getBackendSrv().fetch<unknown>({ url: '/api/ds/query', method: 'POST', data: body, showErrorAlert: false })
    );
    const result = toDataQueryResponse(response as never);
    const error = result.errors?.[0];
    if (error) {
      throw new Error(error.message ?? 'The query failed');
    }
    return result.data as DataFrame[];
  } catch (error) {
    if (isFetchError(error)) {
      // A failed query answers with the frames' error per refId.
      const results = isRecord(error.data) && isRecord(error.data.results) ? error.data.results : undefined;
      const first = results && isRecord(results.A) ? results.A : undefined;
      if (first && typeof first.error === 'string') {
        throw new Error(first.error);
      }
      throw new Error(requestErrorMessage(error));
    }
    throw error;
  }
}

/** Values of a dimension for pickers (resource `suggestions`, contract §3). */
export interface Suggestion {
  value: string;
  label: string;
  count: number;
}

export async function fetchSuggestions(
  uid: string,
  field: string,
  prefix = '',
  range?: TimeRange,
  limit = 100
): Promise<Suggestion[]> {
  const params: Record<string, string | number> = { field, prefix, limit };
  if (range) {
    params.from = range.from.valueOf();
    params.to = range.to.valueOf();
  }
  const body = await resource<unknown>(uid, 'suggestions', { params });
  const values = isRecord(body) && Array.isArray(body.values) ? body.values : [];
  return values.filter(isRecord).map((item) => ({
    value: String(item.value ?? ''),
    label: String(item.label ?? item.value ?? ''),
    count: typeof item.count === 'number' ? item.count : 0,
  }));
}
