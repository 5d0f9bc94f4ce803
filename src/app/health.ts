import { getBackendSrv, isFetchError } from '@grafana/runtime';

/** One configured log root as the backend's health check reports it. */
export interface RootHealth {
  path: string;
  instances: number;
  transactionFiles: number;
  records: number;
  badRecords: number;
  error?: string;
}

/** A skipped log record, so users can find and fix the source. */
export interface BadRecordExample {
  file: string;
  line: number;
  reason: string;
}

export interface HealthDetails {
  roots: RootHealth[];
  records: number;
  badRecords: number;
  badExamples: BadRecordExample[];
}

export interface HealthCheckResult {
  /** 'OK', 'ERROR' or 'UNKNOWN' as the Grafana plugin SDK reports it. */
  status: string;
  message: string;
  details?: HealthDetails;
}

export function isHealthy(result: HealthCheckResult): boolean {
  return result.status.toUpperCase() === 'OK';
}

/**
 * Calls the data source's health check. Never throws: Grafana answers a failed check with HTTP 400
 * and the same body, and a transport failure becomes an ERROR result with the reason as message.
 */
export async function checkDataSourceHealth(uid: string): Promise<HealthCheckResult> {
  const url = `/api/datasources/uid/${encodeURIComponent(uid)}/health`;
  try {
    // The page shows failures itself, so Grafana's global error toast would only duplicate it.
    const body = await getBackendSrv().get(url, undefined, undefined, { showErrorAlert: false });
    return parseHealthResponse(body);
  } catch (error) {
    if (isFetchError(error) && isRecord(error.data) && typeof error.data.status === 'string') {
      return parseHealthResponse(error.data);
    }
    return { status: 'ERROR', message: `Health check request failed: ${describeError(error)}` };
  }
}

/** Reads a health response defensively: the details object is free-form JSON from the backend. */
export function parseHealthResponse(body: unknown): HealthCheckResult {
  if (!isRecord(body)) {
    return { status: 'UNKNOWN', message: 'The health check returned no result.' };
  }
  return {
    status: typeof body.status === 'string' ? body.status : 'UNKNOWN',
    message: typeof body.message === 'string' ? body.message : '',
    details: isRecord(body.details) ? parseDetails(body.details) : undefined,
  };
}

function parseDetails(details: Record<string, unknown>): HealthDetails {
  const roots = Array.isArray(details.roots) ? details.roots.filter(isRecord).map(parseRoot) : [];
  const badExamples = Array.isArray(details.badExamples)
    ? details.badExamples.filter(isRecord).map(parseBadExample)
    : [];
  return {
    roots,
    records: toCount(details.records),
    badRecords: toCount(details.badRecords),
    badExamples,
  };
}

function parseRoot(root: Record<string, unknown>): RootHealth {
  return {
    path: toText(root.path),
    instances: toCount(root.instances),
    transactionFiles: toCount(root.transactionFiles),
    records: toCount(root.records),
    badRecords: toCount(root.badRecords),
    error: typeof root.error === 'string' && root.error !== '' ? root.error : undefined,
  };
}

function parseBadExample(example: Record<string, unknown>): BadRecordExample {
  return { file: toText(example.file), line: toCount(example.line), reason: toText(example.reason) };
}

function toCount(value: unknown): number {
  return typeof value === 'number' && Number.isFinite(value) ? value : 0;
}

function toText(value: unknown): string {
  return typeof value === 'string' ? value : value === undefined || value === null ? '' : String(value);
}

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export function describeError(error: unknown): string {
  if (isFetchError(error)) {
    const data: unknown = error.data;
    const message = isRecord(data) && typeof data.message === 'string' ? data.message : error.statusText;
    return [error.status, message].filter((part) => part !== undefined && part !== '').join(' ');
  }
  if (error instanceof Error) {
    return error.message;
  }
  return String(error);
}
