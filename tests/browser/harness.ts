import { readFileSync } from 'node:fs';
import path from 'node:path';

/** Shared between global setup, global teardown and the specs. */

export const REPO_ROOT = path.resolve(__dirname, '..', '..');
export const OUTPUT_DIR = path.join(REPO_ROOT, 'test-results', 'browser');
export const SCREENSHOT_DIR = path.join(OUTPUT_DIR, 'screenshots');
/** Written by global setup: where everything runs. */
export const HARNESS_FILE = path.join(OUTPUT_DIR, 'harness.json');

export interface HarnessInfo {
  /** The real Grafana (admin / admin). */
  grafanaUrl: string;
  /** The host page server; the specs open this. */
  hostUrl: string;
  /** Demo firewall logs the data source reads (APIFW_LOGS). */
  logsDir: string;
  /** apifw-gen's truth file for the demo logs. */
  truthFile: string;
  /** Temporary directory holding the demo data; removed by teardown. */
  tempDir: string;
  /** Process group of `go run … grafanarun`; teardown stops it. */
  grafanaPid: number;
}

/** The parts of apifw-gen's truth file the specs compare with. */
export interface Truth {
  total: number;
  byOutcome: Record<'allowed' | 'blocked' | 'wouldBlock' | 'unmatched', number>;
  distinctClients: number;
  byInstance: Record<string, number>;
  /** RFC 3339 timestamps of the oldest and newest record. */
  first: string;
  last: string;
}

export function readHarness(): HarnessInfo {
  return JSON.parse(readFileSync(HARNESS_FILE, 'utf8')) as HarnessInfo;
}

export function readTruth(harness: HarnessInfo): Truth {
  return JSON.parse(readFileSync(harness.truthFile, 'utf8')) as Truth;
}

/**
 * Teardown hooks of things global setup started inside the runner process (the host page server).
 * Kept on globalThis because setup and teardown are loaded as separate modules.
 */
const CLEANUPS = Symbol.for('apifw-browser-harness-cleanups');

export function addCleanup(cleanup: () => Promise<void>) {
  const store = globalThis as typeof globalThis & { [CLEANUPS]?: Array<() => Promise<void>> };
  (store[CLEANUPS] ??= []).push(cleanup);
}

export async function runCleanups() {
  const store = globalThis as typeof globalThis & { [CLEANUPS]?: Array<() => Promise<void>> };
  const cleanups = store[CLEANUPS] ?? [];
  store[CLEANUPS] = [];
  for (const cleanup of cleanups.reverse()) {
    await cleanup();
  }
}
