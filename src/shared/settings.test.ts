import { validateRoots } from './settings';

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
