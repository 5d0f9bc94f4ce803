import { execFile, spawn } from 'node:child_process';
import { closeSync, existsSync, openSync, readdirSync, readFileSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';

import { buildHost } from './build-host';
import { addCleanup, HARNESS_FILE, type HarnessInfo, OUTPUT_DIR, REPO_ROOT, SCREENSHOT_DIR } from './harness';
import { startHostServer } from './host-server';
import { stopProcessGroup } from './processes';

const run = promisify(execFile);
const READY_TIMEOUT_MS = 120_000;
/** The built plugin Grafana serves: dist/, or a private copy named by APIFW_DIST (parallel work on one tree). */
const DIST_DIR = process.env.APIFW_DIST ? path.resolve(process.env.APIFW_DIST) : path.join(REPO_ROOT, 'dist');

/**
 * Starts what the specs need: demo firewall logs, the real Grafana serving dist/ with the
 * repository's provisioning pointed at those logs, the host page bundle and its server.
 */
export default async function globalSetup() {
  assertPluginBuilt();
  // Playwright empties outputDir before this runs; removing a stale harness file anyway means
  // teardown can never stop a process from an earlier run.
  await rm(HARNESS_FILE, { force: true });
  await mkdir(SCREENSHOT_DIR, { recursive: true });

  const [grafanaDir] = await Promise.all([findGrafana(), buildHost(path.join(OUTPUT_DIR, 'host'))]);

  const tempDir = await mkdtemp(path.join(os.tmpdir(), 'apifw-browser-'));
  try {
    await startEverything(grafanaDir, tempDir);
  } catch (error) {
    await rm(tempDir, { recursive: true, force: true });
    throw error;
  }
}

async function startEverything(grafanaDir: string, tempDir: string) {
  const logsDir = path.join(tempDir, 'logs');
  const reportsDir = path.join(tempDir, 'reports');
  const truthFile = path.join(tempDir, 'truth.json');
  await mkdir(reportsDir, { recursive: true });
  await goRun(['./cmd/apifw-gen', '-out', logsDir, '-records', '3000', '-seed', '11', '-truth', truthFile]);

  const grafana = await startGrafana(grafanaDir, tempDir, { APIFW_LOGS: logsDir, APIFW_REPORTS: reportsDir });
  try {
    const host = await startHostServer({
      grafanaUrl: grafana.url,
      hostDir: path.join(OUTPUT_DIR, 'host'),
      iconsDir: path.join(REPO_ROOT, 'node_modules', '@grafana', 'ui', 'dist', 'public', 'img', 'icons'),
    });
    addCleanup(host.close);

    const harness: HarnessInfo = {
      grafanaUrl: grafana.url,
      hostUrl: host.url,
      logsDir,
      truthFile,
      tempDir,
      grafanaPid: grafana.pid,
    };
    await writeFile(HARNESS_FILE, JSON.stringify(harness, null, 2));
    // stderr, so that `--reporter=json > file` stays valid JSON.
    process.stderr.write(`browser tests: Grafana ${grafana.url}, host page ${host.url}\n`);
  } catch (error) {
    await stopProcessGroup(grafana.pid);
    throw error;
  }
}

function assertPluginBuilt() {
  const backend = existsSync(path.join(DIST_DIR, 'datasource'))
    ? readdirSync(path.join(DIST_DIR, 'datasource')).some((name) => name.startsWith('gpx_'))
    : false;
  if (!existsSync(path.join(DIST_DIR, 'module.js')) || !backend) {
    throw new Error('dist/ is missing the built plugin: run `npm run build` (frontend and backend) first');
  }
}

/** The cached Grafana server build; builds it when APIFW_GRAFANA_DIR is not set (slow the first time). */
async function findGrafana(): Promise<string> {
  if (process.env.APIFW_GRAFANA_DIR) {
    return process.env.APIFW_GRAFANA_DIR;
  }
  // The script prints its progress on stderr (shown) and the directory as its last stdout line.
  const child = spawn('bash', ['scripts/build-grafana.sh'], { cwd: REPO_ROOT, stdio: ['ignore', 'pipe', 'inherit'] });
  let stdout = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
  const dir = stdout.trim().split('\n').pop();
  if (code !== 0 || !dir) {
    throw new Error(`scripts/build-grafana.sh failed (exit ${code})`);
  }
  return dir;
}

async function goRun(args: string[]) {
  try {
    await run('go', ['run', ...args], { cwd: REPO_ROOT, maxBuffer: 16 << 20 });
  } catch (error) {
    const { stdout = '', stderr = '' } = error as { stdout?: string; stderr?: string };
    throw new Error(`go run ${args.join(' ')} failed:\n${stdout}${stderr}`);
  }
}

/** Runs grafanarun in its own process group (so teardown can stop it and Grafana with it) and waits for its URL. */
async function startGrafana(grafanaDir: string, tempDir: string, env: Record<string, string>) {
  const readyFile = path.join(tempDir, 'grafana-url');
  const logFile = path.join(OUTPUT_DIR, 'grafanarun.log');
  const output = openSync(logFile, 'w');
  const child = spawn(
    'go',
    [
      'run',
      './tests/grafanatest/cmd/grafanarun',
      '-grafana-dir',
      grafanaDir,
      '-dist',
      DIST_DIR,
      '-provisioning',
      path.join(REPO_ROOT, 'provisioning'),
      // Grafana's data and log under the output directory, kept after the run for debugging.
      '-data',
      path.join(OUTPUT_DIR, 'grafana'),
      '-ready-file',
      readyFile,
    ],
    { cwd: REPO_ROOT, env: { ...process.env, ...env }, detached: true, stdio: ['ignore', output, output] }
  );
  closeSync(output); // the child has its own copy
  const pid = child.pid;
  if (pid === undefined) {
    throw new Error('could not start grafanarun');
  }
  let exited: string | undefined;
  child.on('exit', (code, signal) => (exited = `exited with ${signal ?? code}`));

  const deadline = Date.now() + READY_TIMEOUT_MS;
  while (!existsSync(readyFile) || readFileSync(readyFile, 'utf8').trim() === '') {
    if (exited || Date.now() > deadline) {
      await stopProcessGroup(pid);
      const log = await readFile(logFile, 'utf8');
      const reason = exited ?? `did not report ready within ${READY_TIMEOUT_MS / 1000} s`;
      throw new Error(`grafanarun ${reason}. Its output (${logFile}):\n${log}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  return { pid, url: readFileSync(readyFile, 'utf8').trim() };
}
