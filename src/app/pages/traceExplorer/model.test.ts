import { dateTime, FieldType, toDataFrame } from '@grafana/data';

import { emptyExplorerState } from 'shared/explorerUrl';
import {
  appliedFilters,
  explorerTimeRange,
  orderRows,
  rangeToState,
  transactionRows,
  transactionsQuery,
} from './model';

const NOW = Date.parse('2026-11-22T12:00:00Z');

describe('trace explorer model', () => {
  it('reads relative and epoch time ranges, falling back to the last 24 hours', () => {
    const relative = explorerTimeRange({ from: 'now-6h', to: 'now' }, NOW);
    expect(relative.from.valueOf()).toBe(NOW - 6 * 3600_000);
    expect(relative.to.valueOf()).toBe(NOW);
    expect(relative.raw).toEqual({ from: 'now-6h', to: 'now' });
    const epoch = explorerTimeRange({ from: '1000', to: '2000' }, NOW);
    expect([epoch.from.valueOf(), epoch.to.valueOf()]).toEqual([1000, 2000]);
    const fallback = explorerTimeRange({ from: 'yesterday-ish' }, NOW);
    expect(fallback.from.valueOf()).toBe(NOW - 24 * 3600_000);
    expect(fallback.raw.from).toBe('now-24h');
  });

  it('writes picked ranges back: relative as typed, absolute as epoch ms', () => {
    expect(rangeToState({ from: dateTime(1), to: dateTime(2), raw: { from: 'now-1h', to: 'now' } })).toEqual({
      from: 'now-1h',
      to: 'now',
    });
    expect(rangeToState({ from: dateTime(1), to: dateTime(2), raw: { from: dateTime(1), to: dateTime(2) } })).toEqual({
      from: '1',
      to: '2',
    });
  });

  it('builds the transactions query from the URL filters only', () => {
    expect(
      transactionsQuery(
        { ...emptyExplorerState(), outcome: ['blocked'], clientIp: '10.0.0.0/8', uuid: 'x', from: 'now-1h' },
        100
      )
    ).toEqual({
      queryType: 'transactions',
      limit: 100,
      filters: { outcome: ['blocked'], clientIp: '10.0.0.0/8' },
    });
  });

  it('reads the transactions frame and puts blocked rows first on request', () => {
    const frame = toDataFrame({
      name: 'transactions',
      fields: [
        { name: 'time', type: FieldType.time, values: [3, 2, 1] },
        { name: 'uuid', type: FieldType.string, values: ['a', 'b', 'c'] },
        { name: 'outcome', type: FieldType.string, values: ['allowed', 'wouldBlock', 'blocked'] },
        { name: 'status', type: FieldType.number, values: [200, 200, 403] },
        { name: 'duration', type: FieldType.number, values: [5, null, -1] },
      ],
    });
    const rows = transactionRows([frame]);
    expect(rows.map((row) => [row.uuid, row.status, row.duration])).toEqual([
      ['a', 200, 5],
      ['b', 200, undefined],
      ['c', 403, undefined],
    ]);
    expect(orderRows(rows, true).map((row) => row.uuid)).toEqual(['c', 'b', 'a']);
    expect(orderRows(rows, false).map((row) => row.uuid)).toEqual(['a', 'b', 'c']);
    expect(transactionRows([])).toEqual([]);
  });

  it('lists every applied filter readably: API names with their ids, outcome labels, URL-only filters', () => {
    const state = {
      ...emptyExplorerState(),
      api: ['a1'],
      apiName: ['Pets'],
      outcome: ['wouldBlock'],
      clientCountry: ['NL'],
      errorStep: ['request_validation'],
      path: '/pets/*',
    };
    expect(appliedFilters(state)).toEqual([
      { key: 'api', label: 'API', values: ['Pets (a1)'] },
      { key: 'outcome', label: 'Outcome', values: ['Would block'] },
      { key: 'errorStep', label: 'Error step', values: ['request_validation'] },
      { key: 'clientCountry', label: 'Client country', values: ['NL'] },
      { key: 'path', label: 'Path', values: ['/pets/*'] },
    ]);
    // Names that do not pair one to one with the ids are not guessed.
    expect(appliedFilters({ ...emptyExplorerState(), api: ['a1', 'a2'], apiName: ['Pets'] })[0].values).toEqual([
      'a1',
      'a2',
    ]);
    expect(appliedFilters(emptyExplorerState())).toEqual([]);
  });

  it('filters on API names when a link gives names without ids', () => {
    const query = transactionsQuery({ ...emptyExplorerState(), apiName: ['Pets'] }, 100);
    expect(query.filters).toEqual({ api: ['Pets'] });
    const both = transactionsQuery({ ...emptyExplorerState(), api: ['a1'], apiName: ['Pets'] }, 100);
    expect(both.filters).toEqual({ api: ['a1'] });
  });
});
