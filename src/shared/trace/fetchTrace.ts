import { useEffect, useState } from 'react';
import { lastValueFrom } from 'rxjs';
import { getBackendSrv, isFetchError } from '@grafana/runtime';

import { dataSourceResourceUrl } from '../constants';
import { traceFromResource, type TraceView } from './model';

/** A transaction UUID as the firewall writes it; anything else is not worth asking the backend about. */
export function looksLikeUuid(value: string): boolean {
  return /^[0-9a-zA-Z][0-9a-zA-Z._:-]{0,127}$/.test(value);
}

export type TraceLookup =
  | { state: 'idle' }
  | { state: 'loading'; uuid: string }
  | { state: 'done'; uuid: string; trace: TraceView }
  | { state: 'notFound'; uuid: string; message: string }
  | { state: 'error'; uuid: string; message: string };

function errorMessage(error: unknown): string {
  if (isFetchError(error)) {
    const data = error.data as { error?: unknown; message?: unknown } | undefined;
    const text = typeof data?.error === 'string' ? data.error : typeof data?.message === 'string' ? data.message : '';
    return [error.status, text || error.statusText].filter((part) => part !== undefined && part !== '').join(' ');
  }
  return error instanceof Error ? error.message : String(error);
}

/** Reads one transaction through the data source's `trace/<uuid>` resource. */
export async function fetchTrace(
  dataSourceUid: string,
  uuid: string,
  extraMasked: readonly string[] = []
): Promise<TraceLookup> {
  if (!looksLikeUuid(uuid)) {
    return { state: 'notFound', uuid, message: 'This is not a transaction UUID.' };
  }
  try {
    const response = await lastValueFrom(
      getBackendSrv().fetch<unknown>({
        url: dataSourceResourceUrl(dataSourceUid, `trace/${encodeURIComponent(uuid)}`),
        method: 'GET',
        showErrorAlert: false,
      })
    );
    return { state: 'done', uuid, trace: traceFromResource(response.data, extraMasked) };
  } catch (error) {
    if (isFetchError(error) && error.status === 404) {
      return { state: 'notFound', uuid, message: `No transaction ${uuid}: it is unknown or was deleted.` };
    }
    return { state: 'error', uuid, message: errorMessage(error) };
  }
}

/** Looks up a transaction whenever the UUID changes; idle for an empty UUID. */
export function useTraceLookup(dataSourceUid: string | undefined, uuid: string | undefined): TraceLookup {
  // Answers are tagged with their request, so an old answer is never shown for a new UUID.
  const [answer, setAnswer] = useState<{ key: string; result: TraceLookup }>();
  const key = `${dataSourceUid ?? ''}\n${uuid ?? ''}`;
  useEffect(() => {
    if (!uuid || !dataSourceUid) {
      return;
    }
    let cancelled = false;
    fetchTrace(dataSourceUid, uuid).then((result) => {
      if (!cancelled) {
        setAnswer({ key, result });
      }
    });
    return () => {
      cancelled = true;
    };
  }, [dataSourceUid, uuid, key]);
  if (!uuid || !dataSourceUid) {
    return { state: 'idle' };
  }
  return answer?.key === key ? answer.result : { state: 'loading', uuid };
}
