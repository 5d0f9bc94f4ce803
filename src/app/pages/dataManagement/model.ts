import type { TimeRange } from '@grafana/data';

export interface DeletionForm {
  uuids: string;
  clientIp: string;
  apis: string[];
  instances: string[];
  /** Limit to this time range; undefined: any time. */
  range?: TimeRange;
}

/** Body of POST deletions/preview and POST deletions (contract §3). */
export interface DeletionRequest {
  uuids: string[];
  clientIp: string;
  apis: string[];
  instances: string[];
  from?: string;
  to?: string;
}

export interface PastDeletion {
  at?: number;
  actor: string;
  count: number;
  criteria: Array<[string, string]>;
}

export const emptyDeletionForm = (): DeletionForm => ({ uuids: '', clientIp: '', apis: [], instances: [] });

/** UUIDs from the text box: one per line, or separated by commas or spaces; duplicates dropped. */
export function parseUuids(text: string): string[] {
  return Array.from(
    new Set(
      text
        .split(/[\s,;]+/)
        .map((uuid) => uuid.trim())
        .filter((uuid) => uuid !== '')
    )
  );
}

export function deletionRequest(form: DeletionForm): DeletionRequest {
  const request: DeletionRequest = {
    uuids: parseUuids(form.uuids),
    clientIp: form.clientIp.trim(),
    apis: form.apis,
    instances: form.instances,
  };
  if (form.range) {
    request.from = new Date(form.range.from.valueOf()).toISOString();
    request.to = new Date(form.range.to.valueOf()).toISOString();
  }
  return request;
}

/** Why the form cannot be sent, or undefined. A deletion needs at least one criterion: never "everything". */
export function deletionProblem(request: DeletionRequest): string | undefined {
  const hasCriterion =
    request.uuids.length > 0 ||
    request.clientIp !== '' ||
    request.apis.length > 0 ||
    request.instances.length > 0 ||
    request.from !== undefined;
  if (!hasCriterion) {
    return 'Choose what to delete: transaction UUIDs, a client IP, APIs, instances or a time range.';
  }
  if (request.clientIp !== '' && !/^[0-9a-fA-F:.]+(\/\d{1,3})?$/.test(request.clientIp)) {
    return 'The client IP must be an IPv4 or IPv6 address, or a CIDR such as 10.0.0.0/8.';
  }
  if (request.uuids.length > 10000) {
    return 'At most 10 000 UUIDs at a time.';
  }
  return undefined;
}

/** Human summary of a deletion's criteria, for the confirmation and the history. */
export function describeCriteria(request: Partial<DeletionRequest>): Array<[string, string]> {
  const parts: Array<[string, string]> = [];
  if (request.uuids?.length) {
    parts.push([
      'UUIDs',
      request.uuids.length <= 3
        ? request.uuids.join(', ')
        : `${request.uuids.slice(0, 3).join(', ')} and ${request.uuids.length - 3} more`,
    ]);
  }
  if (request.clientIp) {
    parts.push(['Client IP', request.clientIp]);
  }
  if (request.apis?.length) {
    parts.push(['APIs', request.apis.join(', ')]);
  }
  if (request.instances?.length) {
    parts.push(['Instances', request.instances.join(', ')]);
  }
  if (request.from || request.to) {
    parts.push(['Time', `${request.from ?? '…'} – ${request.to ?? '…'}`]);
  }
  return parts;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

const strings = (value: unknown) => (Array.isArray(value) ? value.map(String) : []);

/** The `deletions` resource's answer, newest first. */
export function pastDeletions(body: unknown): PastDeletion[] {
  const list = isRecord(body) && Array.isArray(body.deletions) ? body.deletions.filter(isRecord) : [];
  return list
    .map((item) => {
      const criteria = isRecord(item.criteria) ? item.criteria : {};
      const at = typeof item.at === 'string' ? Date.parse(item.at) : NaN;
      return {
        at: Number.isNaN(at) ? undefined : at,
        actor: typeof item.actor === 'string' ? item.actor : '',
        count: typeof item.count === 'number' ? item.count : 0,
        criteria: describeCriteria({
          uuids: strings(criteria.uuids),
          clientIp: typeof criteria.clientIp === 'string' ? criteria.clientIp : '',
          apis: strings(criteria.apis),
          instances: strings(criteria.instances),
          from: typeof criteria.from === 'string' && !criteria.from.startsWith('0001') ? criteria.from : undefined,
          to: typeof criteria.to === 'string' && !criteria.to.startsWith('0001') ? criteria.to : undefined,
        }),
      };
    })
    .sort((a, b) => (b.at ?? 0) - (a.at ?? 0));
}

/** Whether the signed-in user may manage data: org Admin or Grafana server admin. */
export function isAdminUser(user: { orgRole?: string; isGrafanaAdmin?: boolean } | undefined): boolean {
  return user?.orgRole === 'Admin' || user?.isGrafanaAdmin === true;
}

export type PurgeStatus = 'rewritten' | 'clean' | 'refused' | 'failed';

/** One log file in the `purge` resource's answer. */
export interface PurgedFile {
  path: string;
  status: PurgeStatus;
  removed: number;
  kept: number;
  reason: string;
}

export interface PurgeSummary {
  /** Files the back end looked at. */
  files: number;
  rewritten: number;
  clean: number;
  refused: number;
  failed: number;
  /** Records removed from the files on disk, over all files. */
  removed: number;
  /** Every file that was not clean: failed first, then refused, then rewritten; by path within each. */
  notClean: PurgedFile[];
}

const purgeStatuses: readonly PurgeStatus[] = ['rewritten', 'clean', 'refused', 'failed'];
const statusOrder: Record<PurgeStatus, number> = { failed: 0, refused: 1, rewritten: 2, clean: 3 };
const count = (value: unknown) =>
  typeof value === 'number' && Number.isFinite(value) && value > 0 ? Math.floor(value) : 0;

/**
 * Summary of the `purge` resource's answer. Malformed entries are skipped; a file with an unknown
 * status counts as failed, since nothing says it was purged.
 */
export function purgeSummary(body: unknown): PurgeSummary {
  const list = isRecord(body) && Array.isArray(body.files) ? body.files.filter(isRecord) : [];
  const files: PurgedFile[] = list
    .filter((item) => typeof item.path === 'string')
    .map((item) => {
      const known = purgeStatuses.find((status) => status === item.status);
      const reason = typeof item.reason === 'string' ? item.reason : '';
      return {
        path: String(item.path),
        status: known ?? 'failed',
        removed: count(item.removed),
        kept: count(item.kept),
        reason: known ? reason : reason || `Unexpected status ${JSON.stringify(item.status ?? null)}`,
      };
    });
  const of = (status: PurgeStatus) => files.filter((file) => file.status === status).length;
  return {
    files: files.length,
    rewritten: of('rewritten'),
    clean: of('clean'),
    refused: of('refused'),
    failed: of('failed'),
    removed: files.reduce((sum, file) => sum + file.removed, 0),
    notClean: files
      .filter((file) => file.status !== 'clean')
      .sort(
        (a, b) => statusOrder[a.status] - statusOrder[b.status] || (a.path < b.path ? -1 : a.path > b.path ? 1 : 0)
      ),
  };
}

const plural = (n: number, one: string, many: string) => `${n.toLocaleString('en-US')} ${n === 1 ? one : many}`;

/** One line for the purge result's title, e.g. "2 files rewritten, 15 records removed, 1 refused". */
export function describePurge(summary: PurgeSummary): string {
  if (summary.files === 0) {
    return 'No log file to purge';
  }
  const parts = [
    `${plural(summary.rewritten, 'file', 'files')} rewritten`,
    `${plural(summary.removed, 'record', 'records')} removed`,
  ];
  if (summary.refused > 0) {
    parts.push(`${summary.refused.toLocaleString('en-US')} refused`);
  }
  if (summary.failed > 0) {
    parts.push(`${summary.failed.toLocaleString('en-US')} failed`);
  }
  return parts.join(', ');
}
