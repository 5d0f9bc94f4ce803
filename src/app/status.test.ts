import { formatBytes, parseStatus, scanProgress } from './status';

describe('status resource', () => {
  it('reads the status and the first scan progress', () => {
    const status = parseStatus({
      collector: {
        records: 10,
        badRecords: 2,
        pendingFiles: 3,
        firstScan: { bytesRead: 25, bytesTotal: 100, done: false },
      },
      index: { records: 12, memoryBytes: 2048, bytesPerRecord: 170.6 },
      deletions: 4,
      reports: { audits: 3, scans: 1, roots: ['x'] },
    });
    expect(status).toMatchObject({
      records: 12,
      badRecords: 2,
      pendingFiles: 3,
      deletions: 4,
      memoryBytes: 2048,
      reports: [
        ['audits', 3],
        ['scans', 1],
      ],
    });
    expect(scanProgress(status)).toBe(0.25);
    expect(scanProgress(parseStatus({ collector: { firstScan: { done: true } } }))).toBe(1);
    expect(parseStatus('nonsense').firstScan.done).toBe(true);
  });

  it('formats sizes', () => {
    expect(formatBytes(512)).toBe('512 B');
    expect(formatBytes(1536)).toBe('1.5 KiB');
    expect(formatBytes(50 * 1024 * 1024)).toBe('50 MiB');
  });
});
