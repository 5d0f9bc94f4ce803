import type { DataFrame } from '@grafana/data';

export interface InstanceRow {
  name: string;
  hostnames: string[];
  apis: string[];
  firstSeen?: number;
  lastSeen?: number;
  records: number;
  silent: boolean;
  logFiles: string[];
}

export const DEFAULT_SILENT_AFTER = '15m';

/** A Go duration as time.ParseDuration reads it (1h30m, 15m, 90s …), positive. */
export function isGoDuration(text: string): boolean {
  return /^(\d+(\.\d+)?(ns|us|µs|ms|s|m|h))+$/.test(text.trim()) && /[1-9]/.test(text);
}

function list(value: unknown): string[] {
  if (Array.isArray(value)) {
    return value.map(String).filter((item) => item !== '');
  }
  if (typeof value === 'string') {
    return value
      .split(', ')
      .map((item) => item.trim())
      .filter((item) => item !== '');
  }
  return [];
}

function time(value: unknown): number | undefined {
  if (typeof value === 'number' && value > 0) {
    return value;
  }
  if (value instanceof Date) {
    return value.getTime();
  }
  if (typeof value === 'string' && value !== '') {
    const ms = Date.parse(value);
    return Number.isNaN(ms) || ms <= 0 ? undefined : ms;
  }
  return undefined;
}

/** Rows of the `instances` frame: silent ones first, then by name. */
export function instanceRows(frames: DataFrame[]): InstanceRow[] {
  const frame = frames.find((candidate) => candidate.fields.some((field) => field.name === 'lastSeen'));
  if (!frame) {
    return [];
  }
  const get = (name: string, index: number) => frame.fields.find((field) => field.name === name)?.values[index];
  const rows: InstanceRow[] = [];
  for (let index = 0; index < frame.length; index++) {
    const records = get('records', index);
    rows.push({
      name: String(get('instance', index) ?? get('name', index) ?? ''),
      hostnames: list(get('hostnames', index)),
      apis: list(get('apis', index)),
      firstSeen: time(get('firstSeen', index)),
      lastSeen: time(get('lastSeen', index)),
      records: typeof records === 'number' ? records : 0,
      silent: get('silent', index) === true,
      logFiles: list(get('logFiles', index) ?? get('files', index)),
    });
  }
  return rows.sort((a, b) => Number(b.silent) - Number(a.silent) || a.name.localeCompare(b.name));
}

/** Where an instance's logs come from, in short: the common folder of its files. */
export function logSource(files: string[]): string {
  if (files.length === 0) {
    return '';
  }
  const folders = files.map((file) => file.replace(/[\\/][^\\/]*$/, ''));
  const unique = Array.from(new Set(folders));
  return unique.length === 1 ? unique[0] : `${unique[0]} (+${unique.length - 1} more)`;
}
