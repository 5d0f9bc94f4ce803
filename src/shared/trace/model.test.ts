import { FieldType, toDataFrame } from '@grafana/data';

import { MASK } from '../masking';
import {
  clientLocation,
  clientNetwork,
  formatDurationUs,
  isTraceResponse,
  timelineLayout,
  toEpochMs,
  traceFromFrames,
  traceFromResource,
} from './model';

const T0 = Date.parse('2026-11-20T10:00:00Z');

export function traceFrames() {
  return [
    toDataFrame({
      name: 'summary',
      fields: [
        { name: 'uuid', type: FieldType.string, values: ['u-1'] },
        { name: 'time', type: FieldType.time, values: [T0] },
        { name: 'method', type: FieldType.string, values: ['POST'] },
        { name: 'path', type: FieldType.string, values: ['/api/users'] },
        { name: 'query', type: FieldType.string, values: ['a=1'] },
        { name: 'operation', type: FieldType.string, values: ['/api/users'] },
        { name: 'clientIp', type: FieldType.string, values: ['10.1.2.3'] },
        { name: 'clientPort', type: FieldType.number, values: [51000] },
        { name: 'instance', type: FieldType.string, values: ['fw-1'] },
        { name: 'hostname', type: FieldType.string, values: ['node-a'] },
        { name: 'api', type: FieldType.string, values: ['api-1'] },
        { name: 'apiName', type: FieldType.string, values: ['Petstore'] },
        { name: 'status', type: FieldType.number, values: [403] },
        { name: 'outcome', type: FieldType.string, values: ['blocked'] },
        { name: 'reason', type: FieldType.string, values: ['body does not match schema'] },
        { name: 'errorStep', type: FieldType.string, values: ['request.body'] },
        { name: 'errorMessage', type: FieldType.string, values: ['body does not match schema'] },
        { name: 'durationUs', type: FieldType.number, values: [2000] },
        { name: 'nonBlocking', type: FieldType.boolean, values: [false] },
        { name: 'blockingLevel', type: FieldType.number, values: [null] },
      ],
    }),
    toDataFrame({
      name: 'steps',
      fields: [
        { name: 'step', type: FieldType.string, values: ['request', 'request.body', 'response'] },
        { name: 'depth', type: FieldType.number, values: [0, 1, 0] },
        { name: 'time', type: FieldType.time, values: [T0, T0 + 0.5, null] },
        { name: 'durationUs', type: FieldType.number, values: [1000, 500, null] },
        { name: 'failed', type: FieldType.boolean, values: [false, true, false] },
        { name: 'message', type: FieldType.string, values: ['', 'body does not match schema', ''] },
      ],
    }),
    toDataFrame({
      name: 'headers',
      fields: [
        { name: 'direction', type: FieldType.string, values: ['request', 'request', 'response'] },
        { name: 'name', type: FieldType.string, values: ['Authorization', 'Accept', 'Set-Cookie'] },
        // The backend masks; an unmasked secret must still not be shown.
        { name: 'value', type: FieldType.string, values: ['Bearer leaked', 'application/json', 'sid=1'] },
      ],
    }),
    toDataFrame({
      name: 'parameters',
      fields: [
        { name: 'in', type: FieldType.string, values: ['path', 'query'] },
        { name: 'name', type: FieldType.string, values: ['id', 'a'] },
        { name: 'value', type: FieldType.string, values: ['7', '1'] },
      ],
    }),
    toDataFrame({
      name: 'errors',
      fields: [
        { name: 'step', type: FieldType.string, values: ['request.body'] },
        { name: 'message', type: FieldType.string, values: ['body does not match schema'] },
        { name: 'state', type: FieldType.string, values: ['failed'] },
      ],
    }),
    toDataFrame({
      name: 'fields',
      fields: [
        { name: 'source', type: FieldType.string, values: ['custom', 'unknown'] },
        { name: 'key', type: FieldType.string, values: ['tenant', 'new_field'] },
        { name: 'value', type: FieldType.string, values: ['"acme"', '{"a":1}'] },
      ],
    }),
  ];
}

describe('traceFromFrames', () => {
  it('builds the view model of a trace query response', () => {
    const frames = traceFrames();
    expect(isTraceResponse(frames)).toBe(true);
    const trace = traceFromFrames(frames)!;
    expect(trace.summary).toMatchObject({
      uuid: 'u-1',
      time: T0,
      method: 'POST',
      clientPort: 51000,
      status: 403,
      outcome: 'blocked',
      durationUs: 2000,
      nonBlocking: false,
      blockingLevel: undefined,
    });
    expect(trace.steps.map((step) => [step.step, step.depth, step.failed])).toEqual([
      ['request', 0, false],
      ['request.body', 1, true],
      ['response', 0, false],
    ]);
    expect(trace.requestHeaders).toEqual([
      { name: 'Authorization', value: MASK },
      { name: 'Accept', value: 'application/json' },
    ]);
    expect(trace.responseHeaders).toEqual([{ name: 'Set-Cookie', value: MASK }]);
    expect(trace.pathParams).toEqual([{ name: 'id', value: '7' }]);
    expect(trace.queryParams).toEqual([{ name: 'a', value: '1' }]);
    expect(trace.errors).toEqual([
      { step: 'request.body', message: 'body does not match schema', extra: [{ name: 'state', value: 'failed' }] },
    ]);
    expect(trace.customFields).toEqual([{ name: 'tenant', value: '"acme"' }]);
    expect(trace.unknownFields).toEqual([{ name: 'new_field', value: '{"a":1}' }]);
  });

  it('answers undefined without a summary row', () => {
    expect(traceFromFrames([toDataFrame({ name: 'summary', fields: [{ name: 'uuid', values: [] }] })])).toBeUndefined();
    expect(isTraceResponse([toDataFrame({ name: 'topN', fields: [{ name: 'count', values: [1] }] })])).toBe(false);
  });
});

describe('traceFromResource', () => {
  const body = {
    transaction: {
      uuid: 'u-2',
      time: '2026-11-20T10:00:00.123456Z',
      method: 'GET',
      path: '/x',
      clientIp: '::1',
      clientPort: 0,
      status: 200,
      outcome: 'wouldBlock',
      durationUs: -1,
    },
    detail: {
      nonBlocking: true,
      blockingLevel: 2,
      requestHeaders: [
        { name: 'X-Api-Key', value: '••••••' },
        { name: 'x-custom-secret', value: 'plain' },
      ],
      responseHeaders: null,
      pathParams: [],
      queryParams: [{ name: 'q', value: '<b>x</b>' }],
      // Go's untagged TransactionError fields are capitalised.
      errors: [{ Step: 'response.status', Depth: 1, State: 'failed', Token: '', Message: 'status not declared' }],
      traces: [
        { step: 'request', depth: 0, time: '2026-11-20T10:00:00.123456Z', durationUs: 30 },
        { step: 'response.status', depth: 1, time: '0001-01-01T00:00:00Z', durationUs: -1 },
      ],
      customs: [],
      unknown: [{ key: 'extra', value: '1' }],
    },
  };

  it('builds the same view model from the resource answer', () => {
    const trace = traceFromResource(body);
    expect(trace.summary).toMatchObject({
      uuid: 'u-2',
      clientPort: undefined,
      durationUs: undefined,
      nonBlocking: true,
      blockingLevel: 2,
    });
    expect(trace.summary.time).toBeCloseTo(Date.parse('2026-11-20T10:00:00.123Z') + 0.456, 3);
    expect(trace.requestHeaders).toEqual([
      { name: 'X-Api-Key', value: MASK },
      { name: 'x-custom-secret', value: MASK },
    ]);
    expect(trace.responseHeaders).toEqual([]);
    expect(trace.queryParams).toEqual([{ name: 'q', value: '<b>x</b>' }]);
    expect(trace.steps[1]).toEqual({
      step: 'response.status',
      depth: 1,
      time: undefined,
      durationUs: undefined,
      failed: true,
      message: 'status not declared',
    });
    expect(trace.errors[0]).toEqual({
      step: 'response.status',
      message: 'status not declared',
      extra: [
        { name: 'depth', value: '1' },
        { name: 'state', value: 'failed' },
      ],
    });
    expect(trace.unknownFields).toEqual([{ name: 'extra', value: '1' }]);
    expect(trace.detailError).toBeUndefined();
  });

  it('keeps the summary when the detail could not be read', () => {
    const trace = traceFromResource({ transaction: body.transaction, detail: null, detailError: 'file rotated away' });
    expect(trace.detailError).toBe('file rotated away');
    expect(trace.steps).toEqual([]);
  });

  it('refuses an answer without a transaction', () => {
    expect(() => traceFromResource({ error: 'x' })).toThrow('no transaction');
  });
});

describe('client geography', () => {
  it('reads the geo fields of the trace frames and of the resource, absent ones as ""', () => {
    const frames = [
      toDataFrame({
        name: 'summary',
        fields: [
          { name: 'uuid', type: FieldType.string, values: ['u-1'] },
          { name: 'clientIp', type: FieldType.string, values: ['193.0.0.1'] },
          { name: 'clientCountry', type: FieldType.string, values: ['NL'] },
          { name: 'clientAsn', type: FieldType.string, values: ['AS3333 RIPE NCC'] },
        ],
      }),
    ];
    expect(traceFromFrames(frames)?.summary).toMatchObject({
      clientCountry: 'NL',
      clientAsn: 'AS3333 RIPE NCC',
      clientCity: '',
    });
    const resource = traceFromResource({
      transaction: { uuid: 'u-2', clientIp: '10.0.0.1', clientCountry: 'unknown' },
    });
    expect(resource.summary).toMatchObject({ clientCountry: 'unknown', clientAsn: '', clientCity: '' });
  });

  it('says where the client is, and nothing without a geo database', () => {
    expect(clientLocation({ clientCountry: 'FR', clientCity: 'Paris' })).toBe('Paris, FR');
    expect(clientLocation({ clientCountry: 'NL', clientCity: '' })).toBe('NL');
    expect(clientLocation({ clientCountry: 'unknown', clientCity: 'unknown' })).toBe(
      'unknown (private or unlisted address)'
    );
    expect(clientLocation({ clientCountry: '', clientCity: '' })).toBe('');
    expect(clientNetwork({ clientAsn: 'AS3333 RIPE NCC' })).toBe('AS3333 RIPE NCC');
    expect(clientNetwork({ clientAsn: 'unknown' })).toBe('');
  });
});

describe('timeline', () => {
  it('places steps relative to the whole span', () => {
    const bars = timelineLayout(
      [
        { step: 'a', depth: 0, time: T0, durationUs: 1000, failed: false, message: '' },
        { step: 'b', depth: 1, time: T0 + 1, durationUs: 1000, failed: false, message: '' },
        { step: 'c', depth: 0, failed: false, message: '' },
      ],
      { time: T0, durationUs: 2000 }
    );
    expect(bars[0]).toEqual({ offset: 0, width: 0.5 });
    expect(bars[1]).toEqual({ offset: 0.5, width: 0.5 });
    expect(bars[2]).toEqual({});
  });

  it('formats durations', () => {
    expect(formatDurationUs(undefined)).toBe('—');
    expect(formatDurationUs(850)).toBe('850 µs');
    expect(formatDurationUs(1234)).toBe('1.23 ms');
    expect(formatDurationUs(1_250_000)).toBe('1.25 s');
  });

  it('reads times', () => {
    expect(toEpochMs('0001-01-01T00:00:00Z')).toBeUndefined();
    expect(toEpochMs(new Date(T0))).toBe(T0);
    expect(toEpochMs(null)).toBeUndefined();
  });
});
