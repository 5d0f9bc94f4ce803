import { isRecord } from './health';

/** The `status` resource (contract §3), read defensively. */
export interface IndexStatus {
  firstScan: { bytesRead: number; bytesTotal: number; done: boolean };
  pendingFiles: number;
  records: number;
  badRecords: number;
  memoryBytes: number;
  bytesPerRecord: number;
  deletions: number;
  /** Numeric entries of the report store summary, e.g. audits: 12. */
  reports: Array<[string, number]>;
  error?: string;
}

const n = (value: unknown) => (typeof value === 'number' && Number.isFinite(value) ? value : 0);

export function parseStatus(body: unknown): IndexStatus {
  const root = isRecord(body) ? body : {};
  const collector = isRecord(root.collector) ? root.collector : {};
  const index = isRecord(root.index) ? root.index : {};
  const firstScan = isRecord(collector.firstScan) ? collector.firstScan : {};
  const reports = isRecord(root.reports) ? root.reports : {};
  return {
    firstScan: {
      bytesRead: n(firstScan.bytesRead),
      bytesTotal: n(firstScan.bytesTotal),
      done: firstScan.done !== false,
    },
    pendingFiles: n(collector.pendingFiles),
    records: n(index.records ?? collector.records),
    badRecords: n(collector.badRecords),
    memoryBytes: n(index.memoryBytes),
    bytesPerRecord: n(index.bytesPerRecord),
    deletions: n(root.deletions),
    reports: Object.entries(reports).filter((entry): entry is [string, number] => typeof entry[1] === 'number'),
    error: typeof collector.error === 'string' && collector.error !== '' ? collector.error : undefined,
  };
}

/** Share of the first scan done, 0–1 (1 when there is nothing to read). */
export function scanProgress(status: IndexStatus): number {
  if (status.firstScan.done || status.firstScan.bytesTotal <= 0) {
    return status.firstScan.done ? 1 : 0;
  }
  return Math.min(1, status.firstScan.bytesRead / status.firstScan.bytesTotal);
}

export function formatBytes(bytes: number): string {
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return `${value >= 10 || unit === 0 ? value.toFixed(0) : value.toFixed(1)} ${units[unit]}`;
}
