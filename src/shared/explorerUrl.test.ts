import {
  emptyExplorerState,
  explorerParamForDimension,
  explorerParams,
  parseExplorerParams,
  traceExplorerUrl,
} from './explorerUrl';

describe('trace explorer URL state', () => {
  it('reads every contract parameter, repeated list parameters included', () => {
    const state = parseExplorerParams(
      new URLSearchParams(
        'uuid=abc&api=a1&api=a2&instance=fw-1&outcome=blocked&outcome=wouldBlock&method=GET&status=4xx&clientIp=10.0.0.0/8&path=/api/*&operation=/users/{id}&errorStep=request&from=now-6h&to=now&unknown=x'
      )
    );
    expect(state).toEqual({
      uuid: 'abc',
      api: ['a1', 'a2'],
      instance: ['fw-1'],
      outcome: ['blocked', 'wouldBlock'],
      method: ['GET'],
      status: ['4xx'],
      operation: ['/users/{id}'],
      errorStep: ['request'],
      errorMessage: [],
      hostname: [],
      clientCountry: [],
      clientAsn: [],
      clientCity: [],
      collection: [],
      clientIp: '10.0.0.0/8',
      path: '/api/*',
      from: 'now-6h',
      to: 'now',
    });
  });

  it('round-trips through the URL', () => {
    const state = {
      ...emptyExplorerState(),
      uuid: 'u-1',
      outcome: ['blocked'],
      path: '/a b/<script>',
      from: '1700000000000',
    };
    const url = traceExplorerUrl(state);
    expect(url.startsWith('/a/apifw-monitor-app/trace-explorer?')).toBe(true);
    expect(parseExplorerParams(new URLSearchParams(url.split('?')[1]))).toEqual(state);
  });

  it('drops blanks, duplicates and oversized values', () => {
    const state = parseExplorerParams(
      new URLSearchParams(`outcome=&outcome=blocked&outcome=blocked&path=${'x'.repeat(2000)}&uuid=%20`)
    );
    expect(state.outcome).toEqual(['blocked']);
    expect(state.path).toBeUndefined();
    expect(state.uuid).toBeUndefined();
  });

  it('reads dashboard variables (var-api, from ${api:queryparam}) without "All", and collections', () => {
    const state = parseExplorerParams(
      new URLSearchParams('var-api=Pets&var-api=a1&var-instance=$__all&var-collection=Payments&outcome=blocked&from=1&to=2')
    );
    expect(state.api).toEqual(['Pets', 'a1']);
    expect(state.instance).toEqual([]);
    expect(state.collection).toEqual(['Payments']);
    expect(state.outcome).toEqual(['blocked']);
    expect(state.from).toBe('1');
  });

  it('leaves out empty parameters and puts uuid first', () => {
    expect(explorerParams({ ...emptyExplorerState(), api: ['x'], uuid: 'u' }).toString()).toBe('uuid=u&api=x');
    expect(traceExplorerUrl()).toBe('/a/apifw-monitor-app/trace-explorer');
  });

  it('maps dimensions to explorer filters', () => {
    expect(explorerParamForDimension('clientIp')).toBe('clientIp');
    expect(explorerParamForDimension('statusClass')).toBe('status');
    expect(explorerParamForDimension('operation')).toBe('operation');
    expect(explorerParamForDimension('errorMessage')).toBe('errorMessage');
    expect(explorerParamForDimension('clientCountry')).toBe('clientCountry');
    expect(explorerParamForDimension('blockingLevel')).toBeUndefined();
  });

  it('reads the top-N dimensions a dashboard link filters on, and API names next to their ids', () => {
    const state = parseExplorerParams(
      new URLSearchParams(
        'api=a1&apiName=Pets&clientCountry=NL&clientAsn=AS3333%20RIPE&clientCity=Paris&hostname=api.example.test&errorMessage=bad%20body'
      )
    );
    expect(state).toMatchObject({
      api: ['a1'],
      apiName: ['Pets'],
      clientCountry: ['NL'],
      clientAsn: ['AS3333 RIPE'],
      clientCity: ['Paris'],
      hostname: ['api.example.test'],
      errorMessage: ['bad body'],
    });
    // The names follow the ids in the URL the explorer writes back.
    expect(explorerParams(state).toString()).toBe(
      'api=a1&apiName=Pets&errorMessage=bad+body&hostname=api.example.test&clientCountry=NL&clientAsn=AS3333+RIPE&clientCity=Paris'
    );
  });
});
