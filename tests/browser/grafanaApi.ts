import type { APIRequestContext } from '@playwright/test';

import { GRAFANA_AUTH } from './fixtures';

/** One frame of Grafana's /api/ds/query answer as rows of field name → value. */
export type Row = Record<string, unknown>;

/** Runs a query of a data source through the real Grafana and returns the first frame's rows. */
export async function queryRows(
  request: APIRequestContext,
  grafanaUrl: string,
  query: Record<string, unknown>,
  range: { from: number; to: number },
  ds = 'apifw-monitor'
): Promise<Row[]> {
  const response = await request.post(`${grafanaUrl}/api/ds/query`, {
    headers: GRAFANA_AUTH,
    data: {
      queries: [{ refId: 'A', datasource: { uid: ds }, ...query }],
      from: String(range.from),
      to: String(range.to),
    },
  });
  const body = (await response.json()) as {
    results?: Record<
      string,
      { error?: string; frames?: Array<{ schema: { fields: Array<{ name: string }> }; data: { values: unknown[][] } }> }
    >;
  };
  const result = body.results?.A;
  if (!response.ok() || !result || result.error) {
    throw new Error(
      `query ${JSON.stringify(query)} failed: ${response.status()} ${result?.error ?? JSON.stringify(body)}`
    );
  }
  const frame = result.frames?.[0];
  if (!frame) {
    return [];
  }
  const names = frame.schema.fields.map((field) => field.name);
  const length = frame.data.values[0]?.length ?? 0;
  return Array.from({ length }, (_, index) =>
    Object.fromEntries(names.map((name, column) => [name, frame.data.values[column]?.[index]]))
  );
}
