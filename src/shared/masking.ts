import { BUILT_IN_MASKED_HEADERS } from './settings';

/**
 * Header names whose values are secrets. The backend masks them already (contract: built-in list plus
 * the data source's `maskedHeaders`); the frontend masks again with the same built-in list, so a
 * backend mistake or an older backend never puts a token on screen.
 */
export const MASK = '••••••';

function globToRegExp(glob: string): RegExp {
  const escaped = glob
    .toLowerCase()
    .split('*')
    .map((part) => part.replace(/[.+?^${}()|[\]\\]/g, '\\$&'))
    .join('.*');
  return new RegExp(`^${escaped}$`);
}

const builtinPatterns = BUILT_IN_MASKED_HEADERS.map(globToRegExp);

/** Whether a header's value must be hidden: built-in names and globs, plus extra names (case-insensitive, `*` glob). */
export function isSecretHeader(name: string, extra: readonly string[] = []): boolean {
  const lower = name.trim().toLowerCase();
  return builtinPatterns.some((pattern) => pattern.test(lower)) || extra.some((glob) => globToRegExp(glob).test(lower));
}

/** The value to display for a header: the mask for secrets, else the value as logged. */
export function displayHeaderValue(name: string, value: string, extra: readonly string[] = []): string {
  return isSecretHeader(name, extra) && value !== '' ? MASK : value;
}
