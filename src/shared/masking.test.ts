import { displayHeaderValue, isSecretHeader, MASK } from './masking';

describe('header masking', () => {
  it.each([
    'Authorization',
    'proxy-authorization',
    'Cookie',
    'Set-Cookie',
    'X-API-Key',
    'apikey',
    'X-Auth-Token',
    'x-refresh-token',
    'Client-Secret',
    'db_password',
    'my-apikey-header',
    'x-partner-api-key',
  ])('masks %s', (name) => {
    expect(isSecretHeader(name)).toBe(true);
    expect(displayHeaderValue(name, 'Bearer abc')).toBe(MASK);
  });

  it.each(['Content-Type', 'Accept', 'X-Request-Id', 'User-Agent'])('shows %s', (name) => {
    expect(isSecretHeader(name)).toBe(false);
    expect(displayHeaderValue(name, 'text/plain')).toBe('text/plain');
  });

  it('masks extra names and globs from the data source settings, case-insensitively', () => {
    expect(isSecretHeader('X-Tenant-Id', ['x-tenant-*'])).toBe(true);
    expect(isSecretHeader('X-Session', ['X-SESSION'])).toBe(true);
    expect(isSecretHeader('X-Session', ['x-sess'])).toBe(false);
    // Glob characters other than * are literal.
    expect(isSecretHeader('x-a.b', ['x-a?b'])).toBe(false);
  });

  it('leaves empty values empty', () => {
    expect(displayHeaderValue('Authorization', '')).toBe('');
  });
});
