import { safeUrl } from './sanitize';

describe('safeUrl', () => {
  it.each([
    ['https://example.com/a?b=c', 'https://example.com/a?b=c'],
    ['HTTP://example.com', 'HTTP://example.com'],
    ['/a/apifw-monitor-app/trace-explorer?uuid=1', '/a/apifw-monitor-app/trace-explorer?uuid=1'],
    ['?uuid=1', '?uuid=1'],
    ['#top', '#top'],
    ['trace-explorer?uuid=1', 'trace-explorer?uuid=1'],
    ['  https://example.com  ', 'https://example.com'],
  ])('keeps %j', (input, expected) => {
    expect(safeUrl(input)).toBe(expected);
  });

  it.each([
    'javascript:alert(1)',
    'JaVaScRiPt:alert(1)',
    ' javascript:alert(1)',
    '\u0001javascript:alert(1)',
    'java\tscript:alert(1)',
    'java\nscript:alert(1)',
    'data:text/html,<script>alert(1)</script>',
    'vbscript:msgbox(1)',
    '//evil.example/x',
    '/\\evil.example/x',
    '\\\\evil.example\\x',
    'jav&#x61;script:alert(1)',
    'mailto:a@b.c',
    '',
    'x'.repeat(9000),
  ])('refuses %j', (input) => {
    expect(safeUrl(input)).toBeUndefined();
  });

  it('refuses what is not a string', () => {
    expect(safeUrl(undefined)).toBeUndefined();
    expect(safeUrl({ toString: () => 'https://x' })).toBeUndefined();
  });
});
