import { dateTime, FieldType, toDataFrame } from '@grafana/data';

import { adhocFilterParam, applyClickTarget, clickTarget, linkContext } from './clickAction';
import { DEFAULT_TOPN_OPTIONS } from './types';
import { barSegments, buildTopNModel, normaliseOptions, rowDescription, valueText } from './viewModel';

export function topNFrame(
  rows: Array<[string, number, number, number, number]>,
  other?: [number, number, number, number]
) {
  const all = other ? [...rows, ['other', ...other] as [string, number, number, number, number]] : rows;
  const total = all.reduce((sum, [, a, b, w, u]) => sum + a + b + w + u, 0);
  return toDataFrame({
    name: 'topN',
    fields: [
      { name: 'clientIp', type: FieldType.string, values: all.map((row) => row[0]) },
      { name: 'count', type: FieldType.number, values: all.map(([, a, b, w, u]) => a + b + w + u) },
      { name: 'allowed', type: FieldType.number, values: all.map((row) => row[1]) },
      { name: 'blocked', type: FieldType.number, values: all.map((row) => row[2]) },
      { name: 'wouldBlock', type: FieldType.number, values: all.map((row) => row[3]) },
      { name: 'unmatched', type: FieldType.number, values: all.map((row) => row[4]) },
      { name: 'share', type: FieldType.number, values: all.map(([, a, b, w, u]) => (a + b + w + u) / total) },
    ],
  });
}

const frame = topNFrame(
  [
    ['10.0.0.1', 50, 10, 0, 0],
    ['10.0.0.2', 5, 30, 5, 0],
    ['10.0.0.3', 10, 0, 0, 10],
  ],
  [3, 1, 0, 1]
);

describe('buildTopNModel', () => {
  it('keeps the backend order by count with the remainder last', () => {
    const model = buildTopNModel(frame, DEFAULT_TOPN_OPTIONS)!;
    expect(model.dimension).toBe('clientIp');
    expect(model.rows.map((row) => [row.label, row.count, row.isOther])).toEqual([
      ['10.0.0.1', 60, false],
      ['10.0.0.2', 40, false],
      ['10.0.0.3', 20, false],
      ['Other', 5, true],
    ]);
    expect(model.total).toBe(125);
    expect(model.max).toBe(60);
  });

  it('ranks by blocked count or blocked ratio', () => {
    expect(buildTopNModel(frame, { value: 'blocked' })!.rows.map((row) => row.value)).toEqual([
      '10.0.0.2',
      '10.0.0.1',
      '10.0.0.3',
      'other',
    ]);
    const byRatio = buildTopNModel(frame, { value: 'blockedRatio', showOther: false })!;
    expect(byRatio.rows.map((row) => row.value)).toEqual(['10.0.0.2', '10.0.0.1', '10.0.0.3']);
    expect(valueText(byRatio.rows[0], 'blockedRatio', false)).toBe('75%');
  });

  it('folds rows past N into the remainder and hides it on request', () => {
    const model = buildTopNModel(frame, { limit: 1 })!;
    expect(model.rows.map((row) => [row.value, row.count])).toEqual([
      ['10.0.0.1', 60],
      ['other', 65],
    ]);
    expect(model.rows[1].byOutcome).toEqual({ allowed: 18, blocked: 31, wouldBlock: 5, unmatched: 11 });
    expect(buildTopNModel(frame, { limit: 1, showOther: false })!.rows).toHaveLength(1);
  });

  it('sorts the top N by name when asked', () => {
    const model = buildTopNModel(frame, { limit: 2, sort: 'label' })!;
    expect(model.rows.map((row) => row.value)).toEqual(['10.0.0.1', '10.0.0.2', 'other']);
  });

  it('uses the API name as label for the api dimension', () => {
    const apis = toDataFrame({
      name: 'topN',
      fields: [
        { name: 'api', values: ['id-1'] },
        { name: 'apiName', values: ['Petstore'] },
        { name: 'count', values: [3] },
        { name: 'allowed', values: [3] },
        { name: 'blocked', values: [0] },
        { name: 'wouldBlock', values: [0] },
        { name: 'unmatched', values: [0] },
        { name: 'share', values: [1] },
      ],
    });
    const row = buildTopNModel(apis, {})!.rows[0];
    expect([row.value, row.label]).toEqual(['id-1', 'Petstore']);
  });

  it('treats a single row named "other" as a value, and rejects other frames', () => {
    expect(buildTopNModel(topNFrame([['other', 1, 0, 0, 0]]), {})!.rows[0].isOther).toBe(false);
    expect(
      buildTopNModel(toDataFrame({ name: 'stats', fields: [{ name: 'total', values: [1] }] }), {})
    ).toBeUndefined();
    expect(buildTopNModel(undefined, {})).toBeUndefined();
  });

  it('survives nonsense options from saved dashboards', () => {
    expect(
      normaliseOptions({ limit: -3, value: 'x' as never, clickAction: 'y' as never, variableName: ' $ip ' })
    ).toEqual({
      ...DEFAULT_TOPN_OPTIONS,
      variableName: 'ip',
    });
  });
});

describe('bars and text', () => {
  const model = buildTopNModel(frame, DEFAULT_TOPN_OPTIONS)!;

  it('splits a count bar by outcome, scaled to the largest row', () => {
    expect(barSegments(model.rows[1], 'count', model.max)).toEqual([
      { outcome: 'allowed', width: 5 / 60, count: 5 },
      { outcome: 'blocked', width: 30 / 60, count: 30 },
      { outcome: 'wouldBlock', width: 5 / 60, count: 5 },
    ]);
    expect(barSegments(model.rows[1], 'blocked', 30)).toEqual([{ outcome: 'blocked', width: 1, count: 30 }]);
    expect(barSegments(model.rows[2], 'blockedRatio', 1)).toEqual([]);
  });

  it('prints counts with share, compact numbers when small', () => {
    expect(valueText(model.rows[0], 'count', false)).toBe('60 · 48%');
    expect(valueText({ ...model.rows[0], count: 12345 }, 'count', true)).toBe('12.3K');
    expect(rowDescription(model.rows[1])).toBe('40 transactions (32%): allowed 5, blocked 30, wouldBlock 5');
  });
});

describe('click actions', () => {
  const row = buildTopNModel(frame, DEFAULT_TOPN_OPTIONS)!.rows[0];
  const other = buildTopNModel(frame, DEFAULT_TOPN_OPTIONS)!.rows[3];
  const range = { from: dateTime(1000), to: dateTime(2000), raw: { from: 'now-1h', to: 'now' } };

  it('opens the matching transactions in the trace explorer', () => {
    expect(clickTarget('clientIp', row, { clickAction: 'explorer', variableName: '' }, range)).toEqual({
      kind: 'url',
      url: '/a/apifw-monitor-app/trace-explorer?clientIp=10.0.0.1&from=1000&to=2000',
    });
    expect(clickTarget('statusClass', { ...row, value: '4xx' }, { clickAction: 'explorer', variableName: '' })).toEqual(
      {
        kind: 'url',
        url: '/a/apifw-monitor-app/trace-explorer?status=4xx',
      }
    );
  });

  it('keeps the filters the backend link carries (the query as Grafana interpolated it)', () => {
    const link =
      '/a/apifw-monitor-app/trace-explorer?api=Pets&instance=fw-1&outcome=blocked&clientIp=${__value.raw}&from=${__from}&to=${__to}';
    const context = linkContext(link);
    expect(context).toEqual(expect.objectContaining({ api: ['Pets'], instance: ['fw-1'], outcome: ['blocked'] }));
    expect(context.clientIp).toBeUndefined();
    expect(clickTarget('clientIp', row, { clickAction: 'explorer', variableName: '' }, range, context)).toEqual({
      kind: 'url',
      url: '/a/apifw-monitor-app/trace-explorer?api=Pets&instance=fw-1&outcome=blocked&clientIp=10.0.0.1&from=1000&to=2000',
    });
    expect(linkContext(undefined)).toEqual({});
  });

  it('sets a variable or adds an ad hoc filter, never for the remainder', () => {
    expect(clickTarget('clientIp', row, { clickAction: 'variable', variableName: '' })).toEqual({
      kind: 'variable',
      name: 'clientIp',
      value: '10.0.0.1',
    });
    expect(clickTarget('path', { ...row, value: '/a|b' }, { clickAction: 'adhoc', variableName: '' })).toEqual({
      kind: 'adhoc',
      name: 'Filters',
      filter: 'path|=|/a__gfp__b',
    });
    expect(clickTarget('clientIp', other, { clickAction: 'variable', variableName: '' })).toBeUndefined();
    expect(clickTarget('clientIp', row, { clickAction: 'none', variableName: '' })).toBeUndefined();
  });

  it('applies targets through the location service, appending ad hoc filters once', () => {
    const location = {
      partial: jest.fn(),
      push: jest.fn(),
      getSearch: () => new URLSearchParams('var-Filters=method|=|GET'),
    };
    applyClickTarget({ kind: 'adhoc', name: 'Filters', filter: adhocFilterParam('clientIp', '1.2.3.4') }, location);
    expect(location.partial).toHaveBeenLastCalledWith({ 'var-Filters': ['method|=|GET', 'clientIp|=|1.2.3.4'] });
    applyClickTarget({ kind: 'adhoc', name: 'Filters', filter: 'method|=|GET' }, location);
    expect(location.partial).toHaveBeenCalledTimes(1);
    applyClickTarget({ kind: 'variable', name: 'ip', value: '1.2.3.4' }, location);
    expect(location.partial).toHaveBeenLastCalledWith({ 'var-ip': '1.2.3.4' });
    applyClickTarget({ kind: 'url', url: '/x' }, location);
    expect(location.push).toHaveBeenCalledWith('/x');
  });
});

describe('remainder scaling', () => {
  it('scales bars to the value rows, the larger remainder filling its own track', () => {
    const big = topNFrame(
      [
        ['a', 10, 0, 0, 0],
        ['b', 5, 0, 0, 0],
      ],
      [80, 20, 0, 0]
    );
    const model = buildTopNModel(big, DEFAULT_TOPN_OPTIONS)!;
    expect(model.max).toBe(10);
    expect(barSegments(model.rows[0], 'count', model.max)).toEqual([{ outcome: 'allowed', width: 1, count: 10 }]);
    const other = barSegments(model.rows[2], 'count', model.max);
    expect(other.map((segment) => segment.width)).toEqual([0.8, 0.2]);
  });
});
