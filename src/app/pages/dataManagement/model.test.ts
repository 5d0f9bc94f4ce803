import { dateTime } from '@grafana/data';

import {
  deletionProblem,
  deletionRequest,
  describeCriteria,
  describePurge,
  emptyDeletionForm,
  isAdminUser,
  pastDeletions,
  parseUuids,
  type PurgeSummary,
  purgeSummary,
} from './model';

describe('data management model', () => {
  it('parses UUID lists in any separator, once each', () => {
    expect(parseUuids(' a\nb, c;a \n\n')).toEqual(['a', 'b', 'c']);
  });

  it('builds the deletion body with RFC 3339 times', () => {
    const range = {
      from: dateTime(Date.parse('2026-01-01T00:00:00Z')),
      to: dateTime(Date.parse('2026-01-02T00:00:00Z')),
      raw: { from: 'x', to: 'y' },
    };
    expect(
      deletionRequest({ uuids: 'u1\nu2', clientIp: ' 10.0.0.1 ', apis: ['Petstore'], instances: [], range })
    ).toEqual({
      uuids: ['u1', 'u2'],
      clientIp: '10.0.0.1',
      apis: ['Petstore'],
      instances: [],
      from: '2026-01-01T00:00:00.000Z',
      to: '2026-01-02T00:00:00.000Z',
    });
  });

  it('refuses a deletion without criteria or with a bad address', () => {
    expect(deletionProblem(deletionRequest(emptyDeletionForm()))).toMatch(/Choose what to delete/);
    expect(deletionProblem(deletionRequest({ ...emptyDeletionForm(), clientIp: '<script>' }))).toMatch(/IPv4 or IPv6/);
    expect(deletionProblem(deletionRequest({ ...emptyDeletionForm(), clientIp: '2001:db8::/32' }))).toBeUndefined();
    expect(deletionProblem(deletionRequest({ ...emptyDeletionForm(), uuids: 'u1' }))).toBeUndefined();
  });

  it('describes criteria and past deletions, newest first', () => {
    expect(describeCriteria({ uuids: ['a', 'b', 'c', 'd'], clientIp: '1.2.3.4' })).toEqual([
      ['UUIDs', 'a, b, c and 1 more'],
      ['Client IP', '1.2.3.4'],
    ]);
    const past = pastDeletions({
      deletions: [
        { criteria: { uuids: ['u'] }, at: '2026-01-01T00:00:00Z', count: 1, actor: 'admin' },
        {
          criteria: { clientIp: '10.0.0.0/8', from: '0001-01-01T00:00:00Z' },
          at: '2026-02-01T00:00:00Z',
          count: 7,
          actor: 'ops',
        },
        'junk',
      ],
    });
    expect(past.map((row) => [row.actor, row.count, row.criteria])).toEqual([
      ['ops', 7, [['Client IP', '10.0.0.0/8']]],
      ['admin', 1, [['UUIDs', 'u']]],
    ]);
    expect(pastDeletions(null)).toEqual([]);
  });

  it('lets only admins in', () => {
    expect(isAdminUser({ orgRole: 'Admin' })).toBe(true);
    expect(isAdminUser({ orgRole: 'Viewer', isGrafanaAdmin: true })).toBe(true);
    expect(isAdminUser({ orgRole: 'Editor' })).toBe(false);
    expect(isAdminUser(undefined)).toBe(false);
  });

  const none: PurgeSummary = { files: 0, rewritten: 0, clean: 0, refused: 0, failed: 0, removed: 0, notClean: [] };
  const file = (path: string, status: string, removed: number, reason?: string) => ({
    path,
    status,
    removed,
    kept: 10,
    ...(reason ? { reason } : {}),
  });

  it.each<[string, unknown, Partial<PurgeSummary>, string]>([
    ['no answer', null, {}, 'No log file to purge'],
    ['no files', { files: [] }, {}, 'No log file to purge'],
    ['junk entries', { files: ['x', 1, null, { status: 'clean' }] }, {}, 'No log file to purge'],
    [
      'only clean files',
      { files: [file('/a.log', 'clean', 0), file('/b.log', 'clean', 0)] },
      { files: 2, clean: 2 },
      '0 files rewritten, 0 records removed',
    ],
    [
      'one rewritten file',
      { files: [file('/a.log', 'rewritten', 1), file('/b.log', 'clean', 0)] },
      {
        files: 2,
        clean: 1,
        rewritten: 1,
        removed: 1,
        notClean: [{ path: '/a.log', status: 'rewritten', removed: 1, kept: 10, reason: '' }],
      },
      '1 file rewritten, 1 record removed',
    ],
    [
      'every status, not-clean files ordered failed, refused, rewritten',
      {
        files: [
          file('/z.log', 'rewritten', 1200),
          file('/a.log', 'rewritten', 3),
          file('/old.log.gz', 'refused', 0, 'archive'),
          file('/c.log', 'clean', 0),
          file('/ro.log', 'failed', 0, 'permission denied'),
        ],
      },
      {
        files: 5,
        rewritten: 2,
        clean: 1,
        refused: 1,
        failed: 1,
        removed: 1203,
        notClean: [
          { path: '/ro.log', status: 'failed', removed: 0, kept: 10, reason: 'permission denied' },
          { path: '/old.log.gz', status: 'refused', removed: 0, kept: 10, reason: 'archive' },
          { path: '/a.log', status: 'rewritten', removed: 3, kept: 10, reason: '' },
          { path: '/z.log', status: 'rewritten', removed: 1200, kept: 10, reason: '' },
        ],
      },
      '2 files rewritten, 1,203 records removed, 1 refused, 1 failed',
    ],
    [
      'unknown status counts as failed; bad counts as zero',
      {
        files: [
          { path: '<b>x</b>', status: 'weird', removed: -4, kept: 'many' },
          { path: '/n.log', status: 'rewritten', removed: Number.NaN },
        ],
      },
      {
        files: 2,
        rewritten: 1,
        failed: 1,
        notClean: [
          { path: '<b>x</b>', status: 'failed', removed: 0, kept: 0, reason: 'Unexpected status "weird"' },
          { path: '/n.log', status: 'rewritten', removed: 0, kept: 0, reason: '' },
        ],
      },
      '1 file rewritten, 0 records removed, 1 failed',
    ],
  ])('summarises purge results: %s', (_name, body, expected, title) => {
    const summary = purgeSummary(body);
    expect(summary).toEqual({ ...none, ...expected });
    expect(describePurge(summary)).toBe(title);
  });
});
