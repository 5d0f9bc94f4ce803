/**
 * URL sanitiser for anything that may end up in an href. Log content is attacker-controlled, so only
 * http(s) URLs and same-origin relative URLs pass; everything else (javascript:, data:, vbscript:,
 * protocol-relative //host …) yields undefined and must be rendered as plain text instead.
 */
export function safeUrl(raw: unknown): string | undefined {
  if (typeof raw !== 'string') {
    return undefined;
  }
  // Browsers ignore leading/trailing whitespace and control characters and drop tabs and newlines
  // anywhere in a URL ("java\tscript:" is javascript:), so judge the URL as they will read it.
  const url = raw.replace(/^[\u0000-\u0020]+|[\u0000-\u0020]+$/g, '').replace(/[\t\n\r]/g, '');
  if (url === '' || url.length > 8192) {
    return undefined;
  }
  // Backslashes are read as slashes by browsers: "/\evil.com" is protocol-relative.
  if (/^[/\\]{2}/.test(url)) {
    return undefined;
  }
  if (/^[/?#]/.test(url)) {
    return url;
  }
  const scheme = /^([a-zA-Z][a-zA-Z0-9+.-]*):/.exec(url);
  if (!scheme) {
    // A relative path such as "trace-explorer?uuid=…" (no scheme before the first : / ? #).
    // A colon before the first slash could be read as a scheme by some parser: refuse it.
    return url.split('/')[0].includes(':') ? undefined : url;
  }
  const protocol = scheme[1].toLowerCase();
  return protocol === 'http' || protocol === 'https' ? url : undefined;
}
