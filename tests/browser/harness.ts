import { readFileSync } from 'node:fs';
import path from 'node:path';

import type { GenerationName } from './generations';

/** Shared between global setup, global teardown and the specs. */

export const REPO_ROOT = path.resolve(__dirname, '..', '..');
/** test-results/browser, or APIFW_BROWSER_OUTPUT (a run of its own next to another one in the same tree). */
export const OUTPUT_DIR = process.env.APIFW_BROWSER_OUTPUT
  ? path.resolve(process.env.APIFW_BROWSER_OUTPUT)
  : path.join(REPO_ROOT, 'test-results', 'browser');
/** Screenshots, one folder per generation (Playwright project): screenshots/<generation>/<name>.png. */
export const SCREENSHOT_DIR = path.join(OUTPUT_DIR, 'screenshots');
/** Written by global setup: where everything runs. */
export const HARNESS_FILE = path.join(OUTPUT_DIR, 'harness.json');
/** The same, in the environment global setup hands to the workers (independent of other runs' files). */
export const HARNESS_ENV = 'APIFW_BROWSER_HARNESS';

/** What global setup writes to HARNESS_FILE. */
export interface HarnessFile {
  /** The plugin host (cmd/apifw-host): Grafana's HTTP API for the plugin (admin / admin). */
  grafanaUrl: string;
  /** The host page server of each Grafana frontend generation (Playwright project). */
  hostUrls: Record<GenerationName, string>;
  /** Demo firewall logs the data source reads (APIFW_LOGS). */
  logsDir: string;
  /** apifw-gen's truth file for the demo logs. */
  truthFile: string;
  /** Temporary directory holding the demo data; removed by teardown. */
  tempDir: string;
  /** Process group of the plugin host (and the plugin backend it runs); this run's teardown stops it. */
  pluginHostPid: number;
}

/** The harness as a test sees it: its project's generation and host page. */
export interface HarnessInfo extends HarnessFile {
  generation: GenerationName;
  /** The host page server of this test's generation; the specs open this. */
  hostUrl: string;
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

export function readHarness(): HarnessFile {
  return JSON.parse(process.env[HARNESS_ENV] ?? readFileSync(HARNESS_FILE, 'utf8')) as HarnessFile;
}

/** The harness for one generation's tests. */
export function harnessFor(file: HarnessFile, generation: GenerationName): HarnessInfo {
  return { ...file, generation, hostUrl: file.hostUrls[generation] };
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
