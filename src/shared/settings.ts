import type { DataSourceJsonData } from '@grafana/data';

import type { OutcomeName } from './outcomes';

export type EpochUnit = '' | 's' | 'ms' | 'us' | 'ns';

/**
 * One outcome rule (ingest.OutcomeRule): a record gets `outcome` when every condition set here
 * holds. Unset conditions match anything.
 */
export interface OutcomeRule {
  outcome: OutcomeName | string;
  /** The record came from api-unknown.transaction.log. */
  unknownSource?: boolean;
  /** The record's api is one of these ("n/a" and "" mark unmatched traffic). */
  api?: string[];
  /** The record's errors array is non-empty. */
  hasErrors?: boolean;
  /** The record's non_blocking_mode. */
  nonBlocking?: boolean;
  /** Status codes ("429") or classes ("4xx"). */
  status?: string[];
  /** Some error has one of these steps. */
  errorStep?: string[];
  /** blocking_level is one of these (-1: missing). */
  blockingLevel?: number[];
}

/** ingest.OutcomeRules: the first matching rule wins; `otherwise` when none does. */
export interface OutcomeRules {
  rules?: OutcomeRule[];
  otherwise?: OutcomeName | string;
}

/** The built-in classification (ingest.DefaultOutcomeRules). */
export const DEFAULT_OUTCOME_RULES: Required<OutcomeRules> = {
  rules: [
    { outcome: 'unmatched', unknownSource: true },
    { outcome: 'unmatched', api: ['n/a', ''] },
    { outcome: 'blocked', hasErrors: true, nonBlocking: false },
    { outcome: 'wouldBlock', hasErrors: true, nonBlocking: true },
  ],
  otherwise: 'allowed',
};

/** ingest.JSONPaths: dotted paths of the indexed keys in a record; empty keeps the default. */
export interface JsonPaths {
  uuid?: string;
  dateEpoch?: string;
  dateRfc8601?: string;
  duration?: string;
  instance?: string;
  api?: string;
  apiName?: string;
  nonBlocking?: string;
  blockingLevel?: string;
  sourceIp?: string;
  hostname?: string;
  method?: string;
  uriPath?: string;
  oasPath?: string;
  status?: string;
  errors?: string;
  errorStep?: string;
  errorDepth?: string;
  errorState?: string;
  errorToken?: string;
  errorMessage?: string;
}

/** What firewall v1.0.25 writes (ingest.DefaultJSONPaths). The error* paths are relative to one errors[] entry. */
export const DEFAULT_JSON_PATHS: Required<JsonPaths> = {
  uuid: 'uuid',
  dateEpoch: 'date_epoch',
  dateRfc8601: 'date_rfc8601',
  duration: 'duration',
  instance: 'pod.instance_name',
  api: 'api',
  apiName: 'api_name',
  nonBlocking: 'non_blocking_mode',
  blockingLevel: 'blocking_level',
  sourceIp: 'source_ip',
  hostname: 'hostname',
  method: 'method',
  uriPath: 'uri_path',
  oasPath: 'oas_path',
  status: 'status',
  errors: 'errors',
  errorStep: 'step',
  errorDepth: 'depth',
  errorState: 'state',
  errorToken: 'kdb_token',
  errorMessage: 'message',
};

/** Captured STDOUT file names read when `stdoutFiles` is not set (ingest.DefaultStdoutFiles). */
export const DEFAULT_STDOUT_FILES = [
  '*.stdout.log',
  '*.stdout.log.*',
  '*-json.log',
  '*-json.log.*',
  'stdout/**/*.log',
  'stdout/**/*.log.*',
  'pods/**/*.log',
  'pods/**/*.log.*',
];

/** Header names always masked, whatever `maskedHeaders` adds. */
export const BUILT_IN_MASKED_HEADERS = [
  'authorization',
  'proxy-authorization',
  'cookie',
  'set-cookie',
  'x-api-key',
  'api-key',
  'apikey',
  'x-auth-token',
  'x-access-token',
  'x-csrf-token',
  '*token*',
  '*secret*',
  '*password*',
  '*apikey*',
  '*api-key*',
];

export const DEFAULT_LIMITS = {
  maxRows: 10000,
  queryTimeoutSeconds: 30,
  maxConcurrentQueries: 4,
  silentAfter: '15m',
} as const;

/** jsonData of an API Firewall Monitor data source instance (pkg/plugin/settings.go). */
export interface ApifwDataSourceOptions extends DataSourceJsonData {
  /** Directories that hold firewall transaction logs (FILES layout or captured STDOUT). */
  logRoots: string[];
  /** Directories that hold audit, scan and SQG reports. */
  reportRoots?: string[];
  /** Unit of date_epoch; empty detects it from its magnitude. */
  dateEpochUnit?: EpochUnit;
  /** Globs on the path relative to a root: read only matching files (empty: all). */
  include?: string[];
  /** Globs of files never read. */
  exclude?: string[];
  /** Globs naming captured STDOUT files; absent: DEFAULT_STDOUT_FILES; empty: none. */
  stdoutFiles?: string[];
  /**
   * Also read the transactions the firewall writes into its vhost error logs (vh-<uid>.error.log) at info level,
   * as `transaction[<uuid>]: {json}` lines: the only copy where the transaction logs are named pipes.
   */
  errorLogTransactions?: boolean;
  outcomeRules?: OutcomeRules;
  jsonPaths?: JsonPaths;
  /** Header names (case-insensitive, `*` glob) masked in addition to BUILT_IN_MASKED_HEADERS. */
  maskedHeaders?: string[];
  maxRows?: number;
  queryTimeoutSeconds?: number;
  maxConcurrentQueries?: number;
  /** Go duration. */
  silentAfter?: string;
  /** Absolute directory for the deletion log and file state. */
  stateDir?: string;
  /** Absolute path of a MaxMind-format .mmdb file (country, city or ASN) for the client geography dimensions. */
  geoDatabase?: string;
  /** Where transactions are read: the embedded index (default) or a VictoriaLogs cluster (docs/scale-out.md). */
  store?: StoreName;
  /** The VictoriaLogs select node; password, bearer token and CA are secure settings. */
  victoriaLogs?: VictoriaLogsSettings;
}

/** The values of `store` (Go's plugin.Stores). */
export const STORES = ['embedded', 'victorialogs'] as const;
export type StoreName = (typeof STORES)[number];

/** Go's plugin.VictoriaLogsConfig. */
export interface VictoriaLogsSettings {
  /** The select node's base URL. */
  url: string;
  /** Tenant: VictoriaLogs' AccountID and ProjectID headers (numbers). */
  accountId?: string;
  projectId?: string;
  /** Basic auth user; the password is the secure setting victoriaLogsPassword. */
  username?: string;
  tlsSkipVerify?: boolean;
  tlsServerName?: string;
  /** The storage nodes' base URLs, for the health check. */
  storageNodes?: string[];
}

/** The keys of VictoriaLogsSettings (src/shared/contract.test.ts checks them against Go's). */
export const VICTORIA_LOGS_KEYS = [
  'url',
  'accountId',
  'projectId',
  'username',
  'tlsSkipVerify',
  'tlsServerName',
  'storageNodes',
] as const satisfies ReadonlyArray<keyof VictoriaLogsSettings>;

type MissingVictoriaLogsKey = Exclude<keyof VictoriaLogsSettings, (typeof VICTORIA_LOGS_KEYS)[number]>;
const allVictoriaLogsKeys: [MissingVictoriaLogsKey] extends [never] ? true : MissingVictoriaLogsKey = true;
void allVictoriaLogsKeys;

/** secureJsonData of an instance: stored encrypted by Grafana, never sent back to the browser. */
export interface ApifwSecureJsonData {
  /** Basic auth password for VictoriaLogs (with victoriaLogs.username). */
  victoriaLogsPassword?: string;
  /** Bearer token for VictoriaLogs (instead of basic auth). */
  victoriaLogsBearerToken?: string;
  /** PEM CA certificate(s) trusted for the VictoriaLogs URL and storage nodes. */
  victoriaLogsCACert?: string;
}

/** The secureJsonData keys the backend reads (Go's plugin.SecureSettingsKeys). */
export const SECURE_SETTINGS_KEYS = [
  'victoriaLogsPassword',
  'victoriaLogsBearerToken',
  'victoriaLogsCACert',
] as const satisfies ReadonlyArray<keyof ApifwSecureJsonData>;

type MissingSecureKey = Exclude<keyof ApifwSecureJsonData, (typeof SECURE_SETTINGS_KEYS)[number]>;
const allSecureKeys: [MissingSecureKey] extends [never] ? true : MissingSecureKey = true;
void allSecureKeys;

/** Problems of the VictoriaLogs settings, as the backend's checkStore reports them. */
export function validateVictoriaLogs(vl: VictoriaLogsSettings | undefined): string[] {
  const messages: string[] = [];
  const url = (vl?.url ?? '').trim();
  if (url === '') {
    messages.push('Enter the URL of the VictoriaLogs select node.');
  } else if (!isHttpUrl(url)) {
    messages.push(`"${url}" is not an http(s) URL.`);
  }
  for (const [label, id] of [
    ['Account ID', vl?.accountId],
    ['Project ID', vl?.projectId],
  ] as const) {
    if (id && !/^\d+$/.test(id)) {
      messages.push(`${label} "${id}" is not a number.`);
    }
  }
  return messages;
}

/** Problems of URLs in a list (storage nodes). */
export function validateUrls(urls: string[], label = 'URL'): string[] {
  const messages: string[] = [];
  urls.forEach((raw, index) => {
    const url = raw.trim();
    const subject = `${label} ${index + 1}`;
    if (url === '') {
      messages.push(`${subject} is empty: enter a URL or remove it.`);
    } else if (!isHttpUrl(url)) {
      messages.push(`${subject} "${url}" is not an http(s) URL.`);
    }
  });
  return messages;
}

function isHttpUrl(text: string): boolean {
  try {
    const u = new URL(text);
    return (u.protocol === 'http:' || u.protocol === 'https:') && u.host !== '';
  } catch {
    return false;
  }
}

/** The keys of jsonData (Go's plugin.Settings; src/shared/contract.test.ts checks both agree). */
export const SETTINGS_KEYS = [
  'logRoots',
  'reportRoots',
  'dateEpochUnit',
  'include',
  'exclude',
  'stdoutFiles',
  'outcomeRules',
  'jsonPaths',
  'errorLogTransactions',
  'maskedHeaders',
  'maxRows',
  'queryTimeoutSeconds',
  'maxConcurrentQueries',
  'silentAfter',
  'stateDir',
  'geoDatabase',
  'store',
  'victoriaLogs',
] as const satisfies ReadonlyArray<keyof ApifwDataSourceOptions>;

// Every key of ApifwDataSourceOptions (beyond Grafana's DataSourceJsonData) is in SETTINGS_KEYS.
type MissingSettingsKey = Exclude<
  keyof ApifwDataSourceOptions,
  keyof DataSourceJsonData | (typeof SETTINGS_KEYS)[number]
>;
const allSettingsKeys: [MissingSettingsKey] extends [never] ? true : MissingSettingsKey = true;
void allSettingsKeys;

/**
 * Checks a list of directory roots and returns one human-readable message per problem.
 * The backend resolves paths on the Grafana server, so only absolute paths make sense, and
 * `..` is refused because roots bound what the plugin may read.
 */
export function validateRoots(roots: string[]): string[] {
  if (roots.length === 0) {
    return ['Add at least one directory.'];
  }
  const messages: string[] = [];
  const seen = new Set<string>();
  roots.forEach((rawRoot, index) => {
    const root = rawRoot.trim();
    const label = `Root ${index + 1}`;
    if (root === '') {
      messages.push(`${label} is empty: enter a directory path or remove it.`);
      return;
    }
    messages.push(...absolutePathProblems(root, `${label} "${root}"`));
    const key = normaliseRoot(root);
    if (seen.has(key)) {
      messages.push(`${label} "${root}" is listed more than once.`);
    }
    seen.add(key);
  });
  return messages;
}

/** Problems of one absolute directory path (state directory), or [] when it is fine or empty (the default). */
export function validateAbsolutePath(path: string | undefined, label = 'The path'): string[] {
  const value = (path ?? '').trim();
  if (value === '') {
    return [];
  }
  return absolutePathProblems(value, `${label} "${value}"`);
}

function absolutePathProblems(path: string, subject: string): string[] {
  const messages: string[] = [];
  if (!isAbsolutePath(path)) {
    messages.push(`${subject} is not an absolute path (start it with / or a drive letter like C:\\).`);
  }
  if (path.split(/[\\/]/).includes('..')) {
    messages.push(`${subject} contains "..": write the directory without parent references.`);
  }
  return messages;
}

function isAbsolutePath(path: string): boolean {
  // POSIX absolute, Windows drive (C:\ or C:/) or UNC (\\server\share).
  return path.startsWith('/') || /^[A-Za-z]:[\\/]/.test(path) || path.startsWith('\\\\');
}

// Trailing separators do not change the directory, so "/var/log/" duplicates "/var/log".
function normaliseRoot(path: string): string {
  const trimmed = path.replace(/[\\/]+$/, '');
  return trimmed === '' ? path.charAt(0) : trimmed;
}

/**
 * Checks globs the way the backend does (Go's path.Match per `/` segment, `**` for any number
 * of directories): no empty pattern, balanced `[…]` classes, no dangling escape.
 */
export function validateGlobs(globs: string[], label = 'Pattern'): string[] {
  const messages: string[] = [];
  globs.forEach((raw, index) => {
    const glob = raw.trim();
    const subject = `${label} ${index + 1}`;
    if (glob === '') {
      messages.push(`${subject} is empty: enter a pattern or remove it.`);
      return;
    }
    const problem = globProblem(glob);
    if (problem) {
      messages.push(`${subject} "${glob}" ${problem}.`);
    }
  });
  return messages;
}

function globProblem(glob: string): string | undefined {
  for (const segment of glob.split('/')) {
    let inClass = false;
    let classStart = 0;
    for (let i = 0; i < segment.length; i++) {
      const char = segment[i];
      if (char === '\\') {
        if (i === segment.length - 1) {
          return 'ends with a lone backslash';
        }
        i++;
      } else if (char === '[' && !inClass) {
        inClass = true;
        classStart = i;
      } else if (char === ']' && inClass) {
        // "[]" or "[^]" is not a class: Go rejects an empty class.
        const body = segment.slice(classStart + 1, i).replace(/^\^/, '');
        if (body === '') {
          return 'has an empty […] class';
        }
        inClass = false;
      }
    }
    if (inClass) {
      return 'has a [ without its closing ]';
    }
  }
  return undefined;
}

const DURATION_UNIT = '(?:ns|us|µs|μs|ms|s|m|h)';
const GO_DURATION = new RegExp(`^(?:(?:\\d+(?:\\.\\d*)?|\\.\\d+)${DURATION_UNIT})+$`);

/** Whether `text` is a Go duration ("15m", "1h30m", "90s"). */
export function isGoDuration(text: string): boolean {
  return GO_DURATION.test(text.trim());
}

/** Problems of an optional positive Go duration; [] when empty (the default applies). */
export function validateDuration(value: string | undefined, label: string): string[] {
  const text = (value ?? '').trim();
  if (text === '') {
    return [];
  }
  if (!isGoDuration(text)) {
    return [`${label} "${text}" is not a duration: write a number with a unit, e.g. 15m, 1h or 90s.`];
  }
  if (!/[1-9]/.test(text)) {
    return [`${label} must be longer than zero.`];
  }
  return [];
}

/** Problems of an optional whole number within [min, max]; [] when unset. */
export function validateInteger(value: number | undefined, label: string, min: number, max: number): string[] {
  if (value === undefined) {
    return [];
  }
  if (!Number.isFinite(value) || !Number.isInteger(value)) {
    return [`${label} must be a whole number.`];
  }
  if (value < min || value > max) {
    return [`${label} must be between ${min.toLocaleString('en-US')} and ${max.toLocaleString('en-US')}.`];
  }
  return [];
}

/** Header names: letters, digits and the token characters HTTP allows, plus `*` as a glob. */
export function validateHeaderNames(names: string[]): string[] {
  const messages: string[] = [];
  names.forEach((raw, index) => {
    const name = raw.trim();
    const subject = `Header ${index + 1}`;
    if (name === '') {
      messages.push(`${subject} is empty: enter a header name or remove it.`);
    } else if (!/^[A-Za-z0-9!#$%&'*+.^_`|~-]+$/.test(name)) {
      messages.push(`${subject} "${name}" is not a header name (no spaces or colons; * matches any text).`);
    }
  });
  return messages;
}

const OUTCOME_NAMES = ['allowed', 'blocked', 'wouldBlock', 'would-block', 'unmatched'];

/** Problems of outcome rules, as the backend's compileRules reports them. */
export function validateOutcomeRules(rules: OutcomeRules | undefined): string[] {
  if (!rules) {
    return [];
  }
  const messages: string[] = [];
  if (rules.otherwise && !OUTCOME_NAMES.includes(rules.otherwise)) {
    messages.push(`"Otherwise" ${rules.otherwise} is not allowed, blocked, wouldBlock or unmatched.`);
  }
  (rules.rules ?? []).forEach((rule, index) => {
    const subject = `Rule ${index + 1}`;
    if (!OUTCOME_NAMES.includes(rule.outcome)) {
      messages.push(`${subject}: choose the outcome it gives.`);
    }
    for (const status of rule.status ?? []) {
      if (!/^(?:[1-5]xx|\d{1,3})$/i.test(status.trim())) {
        messages.push(`${subject}: status "${status}" is not a code (404) or class (4xx).`);
      }
    }
    for (const level of rule.blockingLevel ?? []) {
      if (!Number.isInteger(level)) {
        messages.push(`${subject}: blocking level "${level}" is not a whole number.`);
      }
    }
  });
  return messages;
}

/** Problems of JSON paths: dotted keys without empty segments. */
export function validateJsonPaths(paths: JsonPaths | undefined): string[] {
  const messages: string[] = [];
  for (const [key, raw] of Object.entries(paths ?? {}) as Array<[string, string | undefined]>) {
    const path = (raw ?? '').trim();
    if (path !== '' && path.split('.').some((segment) => segment === '')) {
      messages.push(`JSON path for ${key} "${path}" has an empty segment (two dots, or a dot at an end).`);
    }
  }
  return messages;
}
