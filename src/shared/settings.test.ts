import {
  validateUrls,
  validateVictoriaLogs,
  DEFAULT_OUTCOME_RULES,
  isGoDuration,
  validateAbsolutePath,
  validateDuration,
  validateGlobs,
  validateHeaderNames,
  validateInteger,
  validateJsonPaths,
  validateOutcomeRules,
  validateRoots,
} from './settings';

describe('validateRoots', () => {
  it('accepts distinct absolute POSIX and Windows paths', () => {
    expect(validateRoots(['/var/log/apifw', '/opt/guardian/logs', 'C:\\apifw\\logs', '\\\\server\\share'])).toEqual([]);
  });

  it('asks for at least one directory when the list is empty', () => {
    expect(validateRoots([])).toEqual(['Add at least one directory.']);
  });

  it('reports blank, relative, parent-escaping and duplicate entries with their position', () => {
    const messages = validateRoots(['  ', 'logs/apifw', '/var/log/../etc', '/var/log/apifw', '/var/log/apifw/']);
    expect(messages).toEqual([
      'Root 1 is empty: enter a directory path or remove it.',
      'Root 2 "logs/apifw" is not an absolute path (start it with / or a drive letter like C:\\).',
      'Root 3 "/var/log/../etc" contains "..": write the directory without parent references.',
      'Root 5 "/var/log/apifw/" is listed more than once.',
    ]);
  });

  it('does not mistake names that merely contain two dots for parent references', () => {
    expect(validateRoots(['/var/log/app..v2'])).toEqual([]);
  });
});

describe('settings validators', () => {
  it('validateAbsolutePath accepts empty (the default) and absolute paths', () => {
    expect(validateAbsolutePath('')).toEqual([]);
    expect(validateAbsolutePath('/var/lib/grafana/apifw')).toEqual([]);
    expect(validateAbsolutePath('state', 'The state directory')).toEqual([
      'The state directory "state" is not an absolute path (start it with / or a drive letter like C:\\).',
    ]);
    expect(validateAbsolutePath('/a/../b')).toHaveLength(1);
  });

  it('validateGlobs rejects what Go path.Match rejects', () => {
    expect(validateGlobs(['**/*.transaction.log', 'fw-[12]/*', 'a\\*b'])).toEqual([]);
    expect(validateGlobs(['', 'fw-[12/*', 'x[]', 'end\\'])).toEqual([
      'Pattern 1 is empty: enter a pattern or remove it.',
      'Pattern 2 "fw-[12/*" has a [ without its closing ].',
      'Pattern 3 "x[]" has an empty […] class.',
      'Pattern 4 "end\\" ends with a lone backslash.',
    ]);
  });

  it('isGoDuration and validateDuration', () => {
    expect(['15m', '1h30m', '90s', '1.5h', '500ms'].every(isGoDuration)).toBe(true);
    expect(['15', '15 m', '1d', 'm', ''].some(isGoDuration)).toBe(false);
    expect(validateDuration(undefined, 'Silent after')).toEqual([]);
    expect(validateDuration('0s', 'Silent after')).toEqual(['Silent after must be longer than zero.']);
    expect(validateDuration('1d', 'Silent after')[0]).toMatch(/is not a duration/);
  });

  it('validateInteger checks whole numbers within bounds', () => {
    expect(validateInteger(undefined, 'Max rows', 1, 10)).toEqual([]);
    expect(validateInteger(5, 'Max rows', 1, 10)).toEqual([]);
    expect(validateInteger(2.5, 'Max rows', 1, 10)).toEqual(['Max rows must be a whole number.']);
    expect(validateInteger(0, 'Max rows', 1, 10_000)).toEqual(['Max rows must be between 1 and 10,000.']);
  });

  it('validateHeaderNames allows globs, refuses spaces and colons', () => {
    expect(validateHeaderNames(['x-secret', '*session*'])).toEqual([]);
    expect(validateHeaderNames(['x secret', 'a:b', ' '])).toHaveLength(3);
  });

  it('validateOutcomeRules checks outcomes, statuses and levels', () => {
    expect(validateOutcomeRules(DEFAULT_OUTCOME_RULES)).toEqual([]);
    expect(
      validateOutcomeRules({
        rules: [{ outcome: 'denied' }, { outcome: 'blocked', status: ['4xx', '6xx', 'abc'], blockingLevel: [NaN] }],
        otherwise: 'maybe',
      })
    ).toEqual([
      '"Otherwise" maybe is not allowed, blocked, wouldBlock or unmatched.',
      'Rule 1: choose the outcome it gives.',
      'Rule 2: status "6xx" is not a code (404) or class (4xx).',
      'Rule 2: status "abc" is not a code (404) or class (4xx).',
      'Rule 2: blocking level "NaN" is not a whole number.',
    ]);
  });

  it('validateJsonPaths refuses empty segments', () => {
    expect(validateJsonPaths({ instance: 'kubernetes.pod.name', api: '' })).toEqual([]);
    expect(validateJsonPaths({ instance: 'pod..name' })).toEqual([
      'JSON path for instance "pod..name" has an empty segment (two dots, or a dot at an end).',
    ]);
  });
});

describe('validateVictoriaLogs', () => {
  it.each([
    [{ url: 'http://vl:9471' }, []],
    [{ url: 'https://vl.example/base', accountId: '0', projectId: '12' }, []],
    [{ url: '' }, ['Enter the URL of the VictoriaLogs select node.']],
    [{ url: 'vl:9471' }, ['"vl:9471" is not an http(s) URL.']],
    [{ url: 'ftp://vl' }, ['"ftp://vl" is not an http(s) URL.']],
    [{ url: 'http://vl', accountId: '1a' }, ['Account ID "1a" is not a number.']],
    [{ url: 'http://vl', projectId: '-1' }, ['Project ID "-1" is not a number.']],
  ])('%j', (settings, messages) => {
    expect(validateVictoriaLogs(settings)).toEqual(messages);
  });

  it('checks storage node URLs', () => {
    expect(validateUrls(['http://s1:9491', ' ', 's2'], 'Storage node')).toEqual([
      'Storage node 2 is empty: enter a URL or remove it.',
      'Storage node 3 "s2" is not an http(s) URL.',
    ]);
  });
});
