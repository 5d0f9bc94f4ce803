import type { DataSourceJsonData } from '@grafana/data';

/** jsonData of an API Firewall Monitor data source instance. */
export interface ApifwDataSourceOptions extends DataSourceJsonData {
  /** Directories that hold firewall transaction logs (FILES layout or captured STDOUT). */
  logRoots: string[];
  /** Directories that hold audit, scan and SQG reports. */
  reportRoots?: string[];
}

/**
 * Checks a list of directory roots and returns one human-readable message per problem.
 * The backend resolves paths on the Grafana server, so only absolute paths make sense, and
 * `..` is refused because roots bound what the plugin may read.
 */
export function validateRoots(roots: string[]): string[] {
  if (roots.length === 0) {
    return ['Add at least one directory.'];
  }
  const messages: string[] = [];
  const seen = new Set<string>();
  roots.forEach((rawRoot, index) => {
    const root = rawRoot.trim();
    const label = `Root ${index + 1}`;
    if (root === '') {
      messages.push(`${label} is empty: enter a directory path or remove it.`);
      return;
    }
    if (!isAbsolutePath(root)) {
      messages.push(`${label} "${root}" is not an absolute path (start it with / or a drive letter like C:\\).`);
    }
    if (root.split(/[\\/]/).includes('..')) {
      messages.push(`${label} "${root}" contains "..": write the directory without parent references.`);
    }
    const key = normaliseRoot(root);
    if (seen.has(key)) {
      messages.push(`${label} "${root}" is listed more than once.`);
    }
    seen.add(key);
  });
  return messages;
}

function isAbsolutePath(path: string): boolean {
  // POSIX absolute, Windows drive (C:\ or C:/) or UNC (\\server\share).
  return path.startsWith('/') || /^[A-Za-z]:[\\/]/.test(path) || path.startsWith('\\\\');
}

// Trailing separators do not change the directory, so "/var/log/" duplicates "/var/log".
function normaliseRoot(path: string): string {
  const trimmed = path.replace(/[\\/]+$/, '');
  return trimmed === '' ? path.charAt(0) : trimmed;
}
