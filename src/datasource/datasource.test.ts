import type { DataSourceInstanceSettings, ScopedVars } from '@grafana/data';

import type { ApifwQuery } from 'shared/query';
import type { ApifwDataSourceOptions } from 'shared/settings';
import { DataSource, interpolateList } from './datasource';

// A small but real variable resolver: $name, ${name} and custom format functions, as Grafana's does.
const variables: Record<string, string | string[]> = {
  api: ['petstore', 'billing'],
  instance: 'fw-1',
  ip: '10.0.0.7',
  prefix: '/api/v1',
  txn: 'a1b2c3',
  dim: 'path',
};

function replace(target = '', _scopedVars?: ScopedVars, format?: string | Function): string {
  return target.replace(/\$\{(\w+)\}|\$(\w+)/g, (match, braced, plain) => {
    const value = variables[braced ?? plain];
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
  getTemplateSrv: () => ({ replace }),
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

describe('DataSource', () => {
  it('defaults new queries to stats', () => {
    expect(createDataSource().getDefaultQuery('explore' as never)).toEqual({ queryType: 'stats' });
  });

  it('interpolates string filters and expands multi-value variables into array entries', () => {
    const query: ApifwQuery = {
      refId: 'A',
      queryType: 'topN',
      dimension: '$dim' as ApifwQuery['dimension'],
      uuid: ' $txn ',
      filters: {
        api: ['$api', 'inventory', 'billing'],
        instance: ['${instance}'],
        clientIp: '$ip',
        path: '${prefix}/*',
        method: ['GET', ''],
        outcome: ['blocked'],
      },
    };

    const result = createDataSource().applyTemplateVariables(query, {});

    expect(result).toEqual({
      refId: 'A',
      queryType: 'topN',
      dimension: 'path',
      uuid: 'a1b2c3',
      filters: {
        api: ['petstore', 'billing', 'inventory'],
        instance: ['fw-1'],
        clientIp: '10.0.0.7',
        path: '/api/v1/*',
        method: ['GET'],
        outcome: ['blocked'],
      },
    });
    // The saved query itself is left untouched.
    expect(query.filters?.api).toEqual(['$api', 'inventory', 'billing']);
  });

  it('leaves queries without filters alone', () => {
    const query: ApifwQuery = { refId: 'B', queryType: 'stats' };
    expect(createDataSource().applyTemplateVariables(query, {})).toEqual(query);
  });

  it('drops hidden queries', () => {
    const dataSource = createDataSource();
    expect(dataSource.filterQuery({ refId: 'A', queryType: 'stats' })).toBe(true);
    expect(dataSource.filterQuery({ refId: 'A', queryType: 'stats', hide: true })).toBe(false);
  });
});

describe('interpolateList', () => {
  it('trims, drops empty values and keeps first occurrences in order', () => {
    expect(interpolateList([' a ', '', 'b', 'a'], (value) => value)).toEqual(['a', 'b']);
  });
});
