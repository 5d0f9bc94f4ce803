import { dateTime, type DataSourceInstanceSettings, type ScopedVars } from '@grafana/data';
import { lastValueFrom } from 'rxjs';

import type { ApifwQuery } from 'shared/query';
import type { ApifwDataSourceOptions } from 'shared/settings';
import { DataSource, escapeRegExp, interpolateList, toAdhocFilters, variableNames } from './datasource';
import type { ApifwVariableQuery } from './variables';

// A small but real variable resolver: $name, ${name} and custom format functions, as Grafana's does,
// with "All" expanded to every value (or the custom all value) as Grafana's does.
interface TestVariable {
  name: string;
  current: { value: string | string[] };
  options: string[];
  allValue?: string;
}

let variables: TestVariable[] = [];
let adhocFromTemplateSrv: unknown[] | undefined;

function valueOf(variable: TestVariable): string | string[] {
  const { value } = variable.current;
  const isAll = value === '$__all' || (Array.isArray(value) && value.includes('$__all'));
  if (isAll) {
    return variable.allValue ?? variable.options;
  }
  return value;
}

function replace(target = '', scopedVars?: ScopedVars, format?: string | Function): string {
  return target.replace(/\$\{(\w+)\}|\$(\w+)/g, (match, braced, plain) => {
    const name = braced ?? plain;
    const scoped = scopedVars?.[name];
    const variable = variables.find((candidate) => candidate.name === name);
    const value = scoped ? String(scoped.value) : variable ? valueOf(variable) : undefined;
    if (value === undefined) {
      return match;
    }
    if (typeof format === 'function') {
      return format(value);
    }
    return Array.isArray(value) ? `{${value.join(',')}}` : value;
  });
}

jest.mock('@grafana/runtime', () => ({
  ...jest.requireActual('@grafana/runtime'),
  getTemplateSrv: () => ({
    replace,
    getVariables: () => variables,
    ...(adhocFromTemplateSrv ? { getAdhocFilters: () => adhocFromTemplateSrv } : {}),
  }),
}));

function createDataSource() {
  const settings = {
    id: 1,
    uid: 'apifw-monitor',
    type: 'apifw-monitor-datasource',
    name: 'API Firewall Monitor',
    jsonData: { logRoots: ['/var/log/apifw'] },
    access: 'proxy',
    readOnly: false,
    meta: {},
  } as unknown as DataSourceInstanceSettings<ApifwDataSourceOptions>;
  return new DataSource(settings);
}

const range = {
  from: dateTime(1_700_000_000_000),
  to: dateTime(1_700_003_600_000),
  raw: { from: 'now-1h', to: 'now' },
};

beforeEach(() => {
  variables = [
    { name: 'api', current: { value: ['petstore', 'billing'] }, options: ['petstore', 'billing', 'inventory'] },
    { name: 'instance', current: { value: 'fw-1' }, options: ['fw-1', 'fw-2'] },
    { name: 'ip', current: { value: '10.0.0.7' }, options: [] },
    { name: 'prefix', current: { value: '/api/v1' }, options: [] },
    { name: 'txn', current: { value: 'a1b2c3' }, options: [] },
    { name: 'dim', current: { value: 'path' }, options: [] },
    { name: 'allApis', current: { value: ['$__all'] }, options: ['petstore', 'billing'] },
    { name: 'allCustom', current: { value: '$__all' }, options: ['a', 'b'], allValue: 'everything' },
    { name: 'window', current: { value: '30m' }, options: [] },
  ];
  adhocFromTemplateSrv = undefined;
});

describe('DataSource', () => {
  it('starts a new query as traffic split by outcome', () => {
    expect(createDataSource().getDefaultQuery('explore' as never)).toEqual({
      queryType: 'traffic',
      splitBy: 'outcome',
      metric: 'count',
    });
  });

  it('interpolates every string and list field, expanding multi-value variables into entries', () => {
    const query: ApifwQuery = {
      refId: 'A',
      queryType: 'topN',
      dimension: '$dim' as ApifwQuery['dimension'],
      uuid: ' $txn ',
      silentAfter: '$window',
      interval: '${window}',
      columns: ['$dim'],
      filters: {
        api: ['$api', 'inventory', 'billing'],
        instance: ['${instance}'],
        clientIp: '$ip',
        path: '${prefix}/*',
        method: ['GET', ''],
        outcome: ['blocked'],
        operation: ['$prefix/{id}'],
        hostname: ['$instance.local'],
        errorMessage: ['$dim'],
        collection: ['$api'],
        tag: ['$instance'],
        team: ['$instance'],
        adhoc: [{ key: 'path', operator: '=~', value: '^$prefix' }],
      },
    };

    const result = createDataSource().applyTemplateVariables(query, {});

    expect(result).toEqual({
      refId: 'A',
      queryType: 'topN',
      dimension: 'path',
      uuid: 'a1b2c3',
      silentAfter: '30m',
      interval: '30m',
      columns: ['path'],
      filters: {
        api: ['petstore', 'billing', 'inventory'],
        instance: ['fw-1'],
        clientIp: '10.0.0.7',
        path: '/api/v1/*',
        method: ['GET'],
        outcome: ['blocked'],
        operation: ['/api/v1/{id}'],
        hostname: ['fw-1.local'],
        errorMessage: ['path'],
        collection: ['petstore', 'billing'],
        tag: ['fw-1'],
        team: ['fw-1'],
        adhoc: [{ key: 'path', operator: '=~', value: '^/api/v1' }],
      },
    });
    // The saved query itself is left untouched.
    expect(query.filters?.api).toEqual(['$api', 'inventory', 'billing']);
  });

  it('drops a filter whose variable is set to "All" without a custom all value', () => {
    const result = createDataSource().applyTemplateVariables(
      { refId: 'A', queryType: 'stats', filters: { api: ['$allApis'], instance: ['$allCustom'], path: '$allApis' } },
      {}
    );
    // "All" means every value: no API filter; a custom all value is passed on as it is.
    expect(result.filters).toEqual({ instance: ['everything'] });
  });

  it('uses the value of a repeated panel over the variable being "All"', () => {
    const result = createDataSource().applyTemplateVariables(
      { refId: 'A', queryType: 'stats', filters: { api: ['$allApis'] } },
      { allApis: { text: 'billing', value: 'billing' } }
    );
    expect(result.filters).toEqual({ api: ['billing'] });
  });

  it('adds Grafana ad hoc filters on dimensions to the saved ones', () => {
    const result = createDataSource().applyTemplateVariables(
      { refId: 'A', queryType: 'traffic', filters: { adhoc: [{ key: 'method', operator: '=', value: 'GET' }] } },
      {},
      [
        { key: 'clientIp', operator: '!=', value: '10.0.0.1' },
        { key: 'status', operator: '=|', value: '', values: ['404', '5.3'] },
        { key: 'notADimension', operator: '=', value: 'x' },
        { key: 'status', operator: '<', value: '500' },
      ]
    );
    expect(result.filters?.adhoc).toEqual([
      { key: 'method', operator: '=', value: 'GET' },
      { key: 'clientIp', operator: '!=', value: '10.0.0.1' },
      { key: 'status', operator: '=~', value: '^(?:404|5\\.3)$' },
    ]);
  });

  it('reads ad hoc filters from an older TemplateSrv when Grafana passes none', () => {
    adhocFromTemplateSrv = [{ key: 'outcome', operator: '=', value: 'blocked' }];
    const result = createDataSource().applyTemplateVariables({ refId: 'A', queryType: 'stats' }, {});
    expect(result.filters).toEqual({ adhoc: [{ key: 'outcome', operator: '=', value: 'blocked' }] });
  });

  it('leaves queries without filters alone', () => {
    const query: ApifwQuery = { refId: 'B', queryType: 'stats' };
    expect(createDataSource().applyTemplateVariables(query, {})).toEqual(query);
  });

  it('drops hidden queries and queries missing what they need', () => {
    const dataSource = createDataSource();
    expect(dataSource.filterQuery({ refId: 'A', queryType: 'stats' })).toBe(true);
    expect(dataSource.filterQuery({ refId: 'A', queryType: 'stats', hide: true })).toBe(false);
    expect(dataSource.filterQuery({ refId: 'A', queryType: 'trace', uuid: ' ' })).toBe(false);
    expect(dataSource.filterQuery({ refId: 'A', queryType: 'trace', uuid: 'a1' })).toBe(true);
    expect(dataSource.filterQuery({ refId: 'A', queryType: 'topN' })).toBe(false);
  });

  it('asks the suggestions resource with the field, text and time range', async () => {
    const dataSource = createDataSource();
    const getResource = jest
      .spyOn(dataSource, 'getResource')
      .mockResolvedValue({ values: [{ value: 'a1', label: 'Petstore', count: 3 }, { value: 7 }, { value: 'b2' }] });

    const values = await dataSource.suggestions({ field: 'api', prefix: 'pet', range, limit: 50 });

    expect(getResource).toHaveBeenCalledWith(
      'suggestions',
      { field: 'api', prefix: 'pet', from: 1_700_000_000_000, to: 1_700_003_600_000, limit: 50 },
      { showErrorAlert: false }
    );
    // Malformed entries are dropped; a missing label is the value.
    expect(values).toEqual([
      { value: 'a1', label: 'Petstore', count: 3 },
      { value: 'b2', label: 'b2', count: 0 },
    ]);
  });

  it('offers every dimension as an ad hoc key and suggestions as its values', async () => {
    const dataSource = createDataSource();
    const getResource = jest
      .spyOn(dataSource, 'getResource')
      .mockResolvedValue({ values: [{ value: 'a1', label: 'Petstore', count: 3 }] });

    const keys = await dataSource.getTagKeys();
    expect(keys.map((key) => key.value)).toEqual([
      'clientIp',
      'path',
      'operation',
      'method',
      'status',
      'statusClass',
      'errorStep',
      'errorMessage',
      'api',
      'instance',
      'hostname',
      'blockingLevel',
      'outcome',
      'clientCountry',
      'clientAsn',
      'clientCity',
    ]);
    expect(keys[0]).toEqual({ text: 'Client IP', value: 'clientIp' });

    expect(await dataSource.getTagValues({ key: 'api', filters: [], timeRange: range })).toEqual([
      { text: 'Petstore', value: 'a1' },
    ]);
    expect(getResource).toHaveBeenCalledWith(
      'suggestions',
      { field: 'api', from: 1_700_000_000_000, to: 1_700_003_600_000 },
      { showErrorAlert: false }
    );
    expect(await dataSource.getTagValues({ key: 'nope', filters: [] })).toEqual([]);
  });

  it('lists variable values from the suggestions resource: API names as text, ids as values', async () => {
    const dataSource = createDataSource();
    const getResource = jest.spyOn(dataSource, 'getResource').mockResolvedValue({
      values: [
        { value: 'a1', label: 'Petstore', count: 3 },
        { value: 'b2', label: 'Billing', count: 1 },
      ],
    });
    const variableSupport = dataSource.variables as unknown as {
      query: (request: unknown) => ReturnType<typeof lastValueFrom>;
    };
    const target: ApifwVariableQuery = { refId: 'V', field: 'api', prefix: '$instance' };

    const response = (await lastValueFrom(variableSupport.query({ targets: [target], range }) as never)) as {
      data: Array<{ fields: Array<{ name: string; values: string[] }> }>;
    };

    expect(getResource).toHaveBeenCalledWith(
      'suggestions',
      { field: 'api', prefix: 'fw-1', from: 1_700_000_000_000, to: 1_700_003_600_000, limit: 1000 },
      { showErrorAlert: false }
    );
    const [frame] = response.data;
    expect(frame.fields.map((field) => [field.name, field.values])).toEqual([
      ['text', ['Petstore', 'Billing']],
      ['value', ['a1', 'b2']],
    ]);
  });
});

describe('helpers', () => {
  it('interpolateList trims, drops empty values and keeps first occurrences in order', () => {
    expect(interpolateList([' a ', '', 'b', 'a'], (value) => value)).toEqual(['a', 'b']);
  });

  it('variableNames finds every variable syntax', () => {
    expect(variableNames('$a-${b}-${c:csv}-[[d]]-[[e:raw]]-plain')).toEqual(['a', 'b', 'c', 'd', 'e']);
  });

  it('escapeRegExp makes a value match itself', () => {
    expect(escapeRegExp('/api/v1.0/(x)*')).toBe('/api/v1\\.0/\\(x\\)\\*');
    expect(new RegExp(`^${escapeRegExp('a.b+c')}$`).test('a.b+c')).toBe(true);
  });

  it('toAdhocFilters keeps only dimensions and supported operators', () => {
    expect(toAdhocFilters([{ key: 'path', operator: '!~', value: '^/health' }])).toEqual([
      { key: 'path', operator: '!~', value: '^/health' },
    ]);
    expect(toAdhocFilters([{ key: 'path', operator: '!=|', value: '', values: ['/a', '/b'] }])).toEqual([
      { key: 'path', operator: '!~', value: '^(?:/a|/b)$' },
    ]);
    expect(toAdhocFilters([{ key: 'path', operator: '=|', value: '', values: [] }])).toEqual([]);
  });
});
