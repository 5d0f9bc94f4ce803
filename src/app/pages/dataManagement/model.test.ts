import { dateTime } from '@grafana/data';

import { deletionProblem, deletionRequest, describeCriteria, emptyDeletionForm, isAdminUser, pastDeletions, parseUuids } from './model';

describe('data management model', () => {
  it('parses UUID lists in any separator, once each', () => {
    expect(parseUuids(' a\nb, c;a \n\n')).toEqual(['a', 'b', 'c']);
  });

  it('builds the deletion body with RFC 3339 times', () => {
    const range = { from: dateTime(Date.parse('2026-01-01T00:00:00Z')), to: dateTime(Date.parse('2026-01-02T00:00:00Z')), raw: { from: 'x', to: 'y' } };
    expect(deletionRequest({ uuids: 'u1\nu2', clientIp: ' 10.0.0.1 ', apis: ['Petstore'], instances: [], range })).toEqual({
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
        { criteria: { clientIp: '10.0.0.0/8', from: '0001-01-01T00:00:00Z' }, at: '2026-02-01T00:00:00Z', count: 7, actor: 'ops' },
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
});
