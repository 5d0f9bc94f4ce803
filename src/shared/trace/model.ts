import type { DataFrame, Field } from '@grafana/data';

import { displayHeaderValue } from '../masking';

/**
 * The view model of one transaction's trace, built either from the `trace` query's frames
 * (contract §4) or from the `trace/<uuid>` resource (contract §3). Every string in it is log content:
 * render it as text only.
 */
export interface TraceSummary {
  uuid: string;
  /** Epoch milliseconds. */
  time?: number;
  method: string;
  path: string;
  query: string;
  operation: string;
  clientIp: string;
  clientPort?: number;
  instance: string;
  hostname: string;
  api: string;
  apiName: string;
  status?: number;
  outcome: string;
  reason: string;
  errorStep: string;
  errorMessage: string;
  durationUs?: number;
  nonBlocking?: boolean;
  blockingLevel?: number;
  /** The client's geography from the data source's geo database ("unknown" when it does not place the address); "" without one. */
  clientCountry: string;
  clientAsn: string;
  clientCity: string;
}

export interface TraceStep {
  step: string;
  depth: number;
  /** Epoch milliseconds (fractional for microsecond precision). */
  time?: number;
  durationUs?: number;
  failed: boolean;
  message: string;
}

export interface NameValue {
  name: string;
  value: string;
}

export interface TraceError {
  step: string;
  message: string;
  /** Any other fields of the error entry, as text. */
  extra: NameValue[];
}

export interface TraceView {
  summary: TraceSummary;
  steps: TraceStep[];
  requestHeaders: NameValue[];
  responseHeaders: NameValue[];
  pathParams: NameValue[];
  queryParams: NameValue[];
  errors: TraceError[];
  customFields: NameValue[];
  unknownFields: NameValue[];
  /** Why the detail (steps, headers …) could not be read; the summary still holds. */
  detailError?: string;
}

export const TRACE_FRAME_NAMES = ['summary', 'steps', 'headers', 'parameters', 'errors', 'fields'] as const;

// ---------- helpers ----------

function text(value: unknown): string {
  if (value === null || value === undefined) {
    return '';
  }
  if (typeof value === 'string') {
    return value;
  }
  if (typeof value === 'object') {
    try {
      return JSON.stringify(value) ?? '';
    } catch {
      return String(value);
    }
  }
  return String(value);
}

function num(value: unknown): number | undefined {
  if (typeof value === 'number' && Number.isFinite(value)) {
    return value;
  }
  if (typeof value === 'string' && value.trim() !== '' && Number.isFinite(Number(value))) {
    return Number(value);
  }
  return undefined;
}

/** A non-negative number, or undefined for the backend's "unknown" markers (-1, null). */
function optionalCount(value: unknown): number | undefined {
  const n = num(value);
  return n === undefined || n < 0 ? undefined : n;
}

/** Epoch ms from a frame time value (number), a Date, or an RFC 3339 string; Go's zero time is none. */
export function toEpochMs(value: unknown): number | undefined {
  if (value instanceof Date) {
    return Number.isNaN(value.getTime()) ? undefined : value.getTime();
  }
  if (typeof value === 'number') {
    return Number.isFinite(value) && value > 0 ? value : undefined;
  }
  if (typeof value === 'string' && value !== '') {
    const ms = Date.parse(value);
    // 0001-01-01T00:00:00Z (Go's zero time) means "no time".
    if (Number.isNaN(ms) || ms <= -62135596800000) {
      return undefined;
    }
    // Keep the microseconds Date.parse drops.
    const fraction = /\.(\d+)/.exec(value)?.[1];
    if (fraction && fraction.length > 3) {
      return Math.floor(ms) + Number(`0.${fraction.slice(3, 6)}`);
    }
    return ms;
  }
  return undefined;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Reads a record's property by any of the given names (Go's untagged fields are capitalised). */
function prop(record: Record<string, unknown>, ...names: string[]): unknown {
  for (const name of names) {
    if (name in record) {
      return record[name];
    }
  }
  return undefined;
}

function fieldByName(frame: DataFrame | undefined, name: string): Field | undefined {
  return frame?.fields.find((field) => field.name === name);
}

function rowsOf(frame: DataFrame | undefined): Array<Record<string, unknown>> {
  if (!frame) {
    return [];
  }
  const length = frame.length ?? frame.fields[0]?.values.length ?? 0;
  const rows: Array<Record<string, unknown>> = [];
  for (let index = 0; index < length; index++) {
    const row: Record<string, unknown> = {};
    for (const field of frame.fields) {
      row[field.name] = field.values[index];
    }
    rows.push(row);
  }
  return rows;
}

function maskHeaders(headers: NameValue[], extraMasked: readonly string[]): NameValue[] {
  return headers.map(({ name, value }) => ({ name, value: displayHeaderValue(name, value, extraMasked) }));
}

function summaryFromRow(row: Record<string, unknown>): TraceSummary {
  return {
    uuid: text(row.uuid),
    time: toEpochMs(row.time),
    method: text(row.method),
    path: text(prop(row, 'path', 'uriPath')),
    query: text(row.query),
    operation: text(row.operation),
    clientIp: text(prop(row, 'clientIp', 'sourceIp')),
    clientPort: optionalCount(prop(row, 'clientPort', 'sourcePort')) || undefined,
    instance: text(row.instance),
    hostname: text(row.hostname),
    api: text(prop(row, 'api', 'apiId')),
    apiName: text(row.apiName),
    status: optionalCount(row.status),
    outcome: text(row.outcome),
    reason: text(row.reason),
    errorStep: text(row.errorStep),
    errorMessage: text(row.errorMessage),
    durationUs: optionalCount(prop(row, 'durationUs', 'duration')),
    nonBlocking: typeof row.nonBlocking === 'boolean' ? row.nonBlocking : undefined,
    blockingLevel: optionalCount(row.blockingLevel),
    clientCountry: text(row.clientCountry),
    clientAsn: text(row.clientAsn),
    clientCity: text(row.clientCity),
  };
}

/** The geo database's word for an address it does not place (query.GeoUnknown). */
const GEO_UNKNOWN = 'unknown';

/**
 * "Paris, FR": the client's city and country from the data source's geo database; "" without a
 * database (the fields are absent), and says so when the database places the address nowhere.
 */
export function clientLocation(summary: Pick<TraceSummary, 'clientCountry' | 'clientCity'>): string {
  const parts = [summary.clientCity, summary.clientCountry].filter((part) => part !== '' && part !== GEO_UNKNOWN);
  if (parts.length > 0) {
    return parts.join(', ');
  }
  return summary.clientCountry === GEO_UNKNOWN ? 'unknown (private or unlisted address)' : '';
}

/** The client's autonomous system ("AS3333 RIPE NCC"); "" when unknown or without ASN data. */
export function clientNetwork(summary: Pick<TraceSummary, 'clientAsn'>): string {
  return summary.clientAsn === GEO_UNKNOWN ? '' : summary.clientAsn;
}

// ---------- from frames ----------

/** Whether a query response holds the frames of a `trace` query. */
export function isTraceResponse(frames: DataFrame[]): boolean {
  return frames.some((frame) => frame.name === 'summary' && fieldByName(frame, 'uuid') !== undefined);
}

/** The trace in a `trace` query's frames; undefined when there is no summary row. */
export function traceFromFrames(frames: DataFrame[], extraMasked: readonly string[] = []): TraceView | undefined {
  const byName = (name: string) => frames.find((frame) => frame.name === name);
  const summaryRow = rowsOf(byName('summary'))[0];
  if (!summaryRow) {
    return undefined;
  }
  const headers = rowsOf(byName('headers')).map((row) => ({
    direction: text(row.direction),
    name: text(row.name),
    value: text(row.value),
  }));
  const parameters = rowsOf(byName('parameters')).map((row) => ({
    in: text(row.in),
    name: text(row.name),
    value: text(row.value),
  }));
  const fields = rowsOf(byName('fields')).map((row) => ({
    source: text(row.source),
    name: text(row.key),
    value: text(row.value),
  }));
  const steps: TraceStep[] = rowsOf(byName('steps')).map((row) => ({
    step: text(row.step),
    depth: num(row.depth) ?? 0,
    time: toEpochMs(row.time),
    durationUs: optionalCount(row.durationUs),
    failed: row.failed === true,
    message: text(row.message),
  }));
  const errors: TraceError[] = rowsOf(byName('errors')).map((row) => ({
    step: text(row.step),
    message: text(row.message),
    extra: Object.entries(row)
      .filter(
        ([key, value]) => key !== 'step' && key !== 'message' && value !== null && value !== undefined && value !== ''
      )
      .map(([name, value]) => ({ name, value: text(value) })),
  }));
  const withoutDirection = ({ name, value }: { name: string; value: string }) => ({ name, value });
  return {
    summary: summaryFromRow(summaryRow),
    steps,
    requestHeaders: maskHeaders(headers.filter((h) => h.direction !== 'response').map(withoutDirection), extraMasked),
    responseHeaders: maskHeaders(headers.filter((h) => h.direction === 'response').map(withoutDirection), extraMasked),
    pathParams: parameters.filter((p) => p.in === 'path').map(withoutDirection),
    queryParams: parameters.filter((p) => p.in !== 'path').map(withoutDirection),
    errors,
    customFields: fields.filter((f) => f.source === 'custom').map(withoutDirection),
    unknownFields: fields.filter((f) => f.source !== 'custom').map(withoutDirection),
  };
}

// ---------- from the trace/<uuid> resource ----------

function nameValues(value: unknown): NameValue[] {
  return Array.isArray(value)
    ? value
        .filter(isRecord)
        .map((item) => ({ name: text(prop(item, 'name', 'Name')), value: text(prop(item, 'value', 'Value')) }))
    : [];
}

function keyValues(value: unknown): NameValue[] {
  return Array.isArray(value)
    ? value
        .filter(isRecord)
        .map((item) => ({ name: text(prop(item, 'key', 'Key')), value: text(prop(item, 'value', 'Value')) }))
    : [];
}

/** The trace from the `trace/<uuid>` resource's answer; throws when it holds no transaction. */
export function traceFromResource(body: unknown, extraMasked: readonly string[] = []): TraceView {
  if (!isRecord(body) || !isRecord(body.transaction)) {
    throw new Error('The answer holds no transaction.');
  }
  const summary = summaryFromRow(body.transaction);
  const detail = isRecord(body.detail) ? body.detail : undefined;
  const errors: TraceError[] = Array.isArray(detail?.errors)
    ? detail.errors.filter(isRecord).map((error) => ({
        step: text(prop(error, 'step', 'Step')),
        message: text(prop(error, 'message', 'Message')),
        extra: Object.entries(error)
          .filter(([key, value]) => !/^(step|message)$/i.test(key) && value !== '' && value !== null && value !== 0)
          .map(([name, value]) => ({ name: name.charAt(0).toLowerCase() + name.slice(1), value: text(value) })),
      }))
    : [];
  if (detail) {
    if (summary.nonBlocking === undefined && typeof detail.nonBlocking === 'boolean') {
      summary.nonBlocking = detail.nonBlocking;
    }
    summary.blockingLevel ??= optionalCount(detail.blockingLevel);
    summary.clientPort ??= optionalCount(detail.sourcePort) || undefined;
  }
  const failedSteps = new Map(errors.map((error) => [error.step, error.message]));
  const steps: TraceStep[] = Array.isArray(detail?.traces)
    ? detail.traces.filter(isRecord).map((step) => {
        const name = text(prop(step, 'step', 'Step'));
        return {
          step: name,
          depth: num(prop(step, 'depth', 'Depth')) ?? 0,
          time: toEpochMs(prop(step, 'time', 'Time')),
          durationUs: optionalCount(prop(step, 'durationUs', 'DurationUS')),
          failed: failedSteps.has(name),
          message: failedSteps.get(name) ?? '',
        };
      })
    : [];
  return {
    summary,
    steps,
    requestHeaders: maskHeaders(nameValues(detail?.requestHeaders), extraMasked),
    responseHeaders: maskHeaders(nameValues(detail?.responseHeaders), extraMasked),
    pathParams: nameValues(detail?.pathParams),
    queryParams: nameValues(detail?.queryParams),
    errors,
    customFields: keyValues(detail?.customs),
    unknownFields: keyValues(detail?.unknown),
    detailError:
      typeof body.detailError === 'string' && body.detailError !== ''
        ? body.detailError
        : detail
          ? undefined
          : 'The transaction detail is not available.',
  };
}

// ---------- timeline ----------

export interface TimelineBar {
  /** Start, as a share (0–1) of the timeline; undefined when the step has no time. */
  offset?: number;
  /** Length, as a share (0–1); at least a sliver so short steps stay visible. */
  width?: number;
}

const MIN_BAR = 0.005;

/**
 * Places each step on a common timeline: from the earliest step start to the latest step end (or the
 * transaction's own span when that is longer). Steps without a time get no bar.
 */
export function timelineLayout(
  steps: TraceStep[],
  transaction?: { time?: number; durationUs?: number }
): TimelineBar[] {
  const starts = steps.map((step) => step.time).filter((time): time is number => time !== undefined);
  if (transaction?.time !== undefined) {
    starts.push(transaction.time);
  }
  if (starts.length === 0) {
    return steps.map(() => ({}));
  }
  const begin = Math.min(...starts);
  const ends = steps.map((step) => (step.time === undefined ? begin : step.time + (step.durationUs ?? 0) / 1000));
  if (transaction?.time !== undefined && transaction.durationUs !== undefined) {
    ends.push(transaction.time + transaction.durationUs / 1000);
  }
  const span = Math.max(...ends, ...starts) - begin;
  return steps.map((step) => {
    if (step.time === undefined) {
      return {};
    }
    if (span <= 0) {
      return { offset: 0, width: 1 };
    }
    const offset = (step.time - begin) / span;
    const width = Math.max(MIN_BAR, (step.durationUs ?? 0) / 1000 / span);
    return { offset: Math.min(offset, 1 - MIN_BAR), width: Math.min(width, 1 - Math.min(offset, 1 - MIN_BAR)) };
  });
}

/** A duration in microseconds for people: 850 µs, 12.3 ms, 1.25 s. */
export function formatDurationUs(us: number | undefined): string {
  if (us === undefined) {
    return '—';
  }
  if (us < 1000) {
    return `${Math.round(us)} µs`;
  }
  if (us < 1_000_000) {
    return `${(us / 1000).toFixed(us < 10_000 ? 2 : 1)} ms`;
  }
  return `${(us / 1_000_000).toFixed(2)} s`;
}
