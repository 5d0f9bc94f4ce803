import {
  changeQueryType,
  DEFAULT_QUERY,
  IMPLEMENTED_QUERY_TYPES,
  missingForQuery,
  QUERY_TYPE_DEFAULTS,
  QUERY_TYPE_LABELS,
} from './query';

describe('query model', () => {
  it('implements every query type, each with a label and defaults', () => {
    expect([...IMPLEMENTED_QUERY_TYPES].sort()).toEqual(Object.keys(QUERY_TYPE_LABELS).sort());
    expect(Object.keys(QUERY_TYPE_DEFAULTS).sort()).toEqual(Object.keys(QUERY_TYPE_LABELS).sort());
  });

  it('starts new queries as traffic split by outcome', () => {
    expect(DEFAULT_QUERY).toEqual({ queryType: 'traffic', splitBy: 'outcome', metric: 'count' });
  });

  it.each([
    ['topN', { dimension: 'clientIp', limit: 10 }],
    ['transactions', { limit: 100 }],
    ['instances', { silentAfter: '15m' }],
    ['auditIssues', { groupBy: 'severity' }],
    ['stats', {}],
  ] as const)('changing to %s keeps the filters and applies its defaults', (queryType, defaults) => {
    const changed = changeQueryType(
      { refId: 'A', queryType: 'trace', uuid: 'x', columns: ['blocked'], filters: { api: ['a'] } },
      queryType
    );
    expect(changed).toEqual({ refId: 'A', queryType, filters: { api: ['a'] }, ...defaults });
  });

  it('carries a topN dimension over to the traffic split and back', () => {
    const traffic = changeQueryType({ refId: 'A', queryType: 'topN', dimension: 'path', limit: 5 }, 'traffic');
    expect(traffic).toEqual({ refId: 'A', queryType: 'traffic', splitBy: 'path', metric: 'count' });
    expect(changeQueryType(traffic, 'topN')).toEqual({ refId: 'A', queryType: 'topN', dimension: 'path', limit: 10 });
  });

  it('names what a query still needs', () => {
    expect(missingForQuery({ refId: 'A', queryType: 'trace' })).toBe('a transaction UUID');
    expect(missingForQuery({ refId: 'A', queryType: 'trace', uuid: '$uuid' })).toBeUndefined();
    expect(missingForQuery({ refId: 'A', queryType: 'topN' })).toBe('a dimension');
    expect(missingForQuery({ refId: 'A', queryType: 'stats' })).toBeUndefined();
  });
});
