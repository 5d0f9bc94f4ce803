import { FieldType, toDataFrame } from '@grafana/data';

import { instanceRows, isGoDuration, logSource } from './model';

describe('instances model', () => {
  it('reads the instances frame, silent instances first', () => {
    const frame = toDataFrame({
      name: 'instances',
      fields: [
        { name: 'instance', type: FieldType.string, values: ['fw-a', 'fw-b'] },
        { name: 'hostnames', type: FieldType.string, values: ['h1, h2', ''] },
        { name: 'apis', type: FieldType.string, values: ['Petstore, Orders', 'Petstore'] },
        { name: 'firstSeen', type: FieldType.time, values: [1000, 2000] },
        { name: 'lastSeen', type: FieldType.time, values: [5000, 3000] },
        { name: 'records', type: FieldType.number, values: [10, 0] },
        { name: 'silent', type: FieldType.boolean, values: [false, true] },
        {
          name: 'logFiles',
          type: FieldType.string,
          values: ['/logs/fw-a/api-1.transaction.log, /logs/fw-a/api-2.transaction.log', ''],
        },
      ],
    });
    expect(instanceRows([frame])).toEqual([
      {
        name: 'fw-b',
        hostnames: [],
        apis: ['Petstore'],
        firstSeen: 2000,
        lastSeen: 3000,
        records: 0,
        silent: true,
        logFiles: [],
      },
      {
        name: 'fw-a',
        hostnames: ['h1', 'h2'],
        apis: ['Petstore', 'Orders'],
        firstSeen: 1000,
        lastSeen: 5000,
        records: 10,
        silent: false,
        logFiles: ['/logs/fw-a/api-1.transaction.log', '/logs/fw-a/api-2.transaction.log'],
      },
    ]);
  });

  it('validates Go durations', () => {
    expect(['15m', '1h30m', '90s', '1.5h', '1ns'].every(isGoDuration)).toBe(true);
    expect(['', '15', 'm', '-5m', '0s', '15 m', '1d'].some(isGoDuration)).toBe(false);
  });

  it('summarises where the logs come from', () => {
    expect(logSource(['/a/x.log', '/a/y.log'])).toBe('/a');
    expect(logSource(['/a/x.log', '/b/y.log', '/c/z.log'])).toBe('/a (+2 more)');
    expect(logSource([])).toBe('');
  });
});
