import { execFile, spawn } from 'node:child_process';
import { closeSync, existsSync, openSync, readdirSync, readFileSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';

import { buildHost } from './build-host';
import {
  ensureGenerationInstalled,
  GENERATION_NAMES,
  GENERATIONS,
  type GenerationName,
  grafanaVersion,
  nodeModules,
} from './generations';
import {
  addCleanup,
  HARNESS_ENV,
  HARNESS_FILE,
  type HarnessFile,
  OUTPUT_DIR,
  REPO_ROOT,
  runCleanups,
  SCREENSHOT_DIR,
} from './harness';
import { startHostServer } from './host-server';
import { stopProcessGroup } from './processes';

const run = promisify(execFile);
const READY_TIMEOUT_MS = 120_000;
/** The built plugin the plugin host serves: dist/, or a private copy named by APIFW_DIST (parallel work on one tree). */
const DIST_DIR = process.env.APIFW_DIST ? path.resolve(process.env.APIFW_DIST) : path.join(REPO_ROOT, 'dist');

/**
 * Starts what the specs need: demo firewall logs, the plugin host (cmd/apifw-host: the built
 * plugin's backend over Grafana's plugin protocol, Grafana's HTTP API subset) serving dist/ with
 * the repository's provisioning pointed at those logs, and one host page bundle and server per
 * Grafana frontend generation (see generations.ts).
 */
export default async function globalSetup() {
  assertPluginBuilt();
  // Playwright empties outputDir before this runs; removing a stale harness file anyway means
  // teardown can never stop a process from an earlier run.
  await rm(HARNESS_FILE, { force: true });
  await mkdir(SCREENSHOT_DIR, { recursive: true });

  const hostBinary = path.join(OUTPUT_DIR, 'bin', 'apifw-host');
  await Promise.all([
    goBuild('./cmd/apifw-host', hostBinary),
    ...GENERATION_NAMES.map(async (name) => {
      await ensureGenerationInstalled(GENERATIONS[name]);
      await buildHost(path.join(OUTPUT_DIR, `host-${name}`), GENERATIONS[name]);
    }),
  ]);

  const tempDir = await mkdtemp(path.join(os.tmpdir(), 'apifw-browser-'));
  try {
    await startEverything(hostBinary, tempDir);
  } catch (error) {
    await rm(tempDir, { recursive: true, force: true });
    throw error;
  }
}

async function startEverything(hostBinary: string, tempDir: string) {
  const logsDir = path.join(tempDir, 'logs');
  const reportsDir = path.join(tempDir, 'reports');
  const truthFile = path.join(tempDir, 'truth.json');
  await mkdir(reportsDir, { recursive: true });
  // Public client addresses (what npm start's demo uses) so the geography panels show countries;
  // reports for the same APIs (same seed) so the collection and executive dashboards have rows.
  await goRun([
    './cmd/apifw-gen',
    '-out',
    logsDir,
    '-records',
    '3000',
    '-seed',
    '11',
    '-public-clients',
    '-reports',
    reportsDir,
    '-truth',
    truthFile,
  ]);

  // The country database the demo uses (npm devDependency): the Security dashboard's geo panels need one.
  const geoDb = path.join(
    REPO_ROOT,
    'node_modules',
    '@ip-location-db',
    'geo-whois-asn-country-mmdb',
    'geo-whois-asn-country.mmdb'
  );
  const api = await startPluginHost(hostBinary, tempDir, {
    APIFW_LOGS: logsDir,
    APIFW_REPORTS: reportsDir,
    APIFW_GEO_DB: geoDb,
  });
  // Teardown runs these in reverse: host servers, then the plugin host, then the demo data. Only
  // what this run started: another run in the same tree keeps its own.
  addCleanup(() => rm(tempDir, { recursive: true, force: true }));
  addCleanup(() => stopProcessGroup(api.pid));
  try {
    const hostUrls = {} as Record<GenerationName, string>;
    for (const name of GENERATION_NAMES) {
      const generation = GENERATIONS[name];
      const iconDir = (other: GenerationName) =>
        path.join(nodeModules(GENERATIONS[other]), '@grafana', 'ui', 'dist', 'public', 'img', 'icons');
      const server = await startHostServer({
        grafanaUrl: api.url,
        hostDir: path.join(OUTPUT_DIR, `host-${name}`),
        // The generation's own icons first; an icon it lacks comes from the other generation's set,
        // and the spinner (only in Grafana's frontend build) from the host's own icons.
        iconsDirs: [
          iconDir(name),
          ...GENERATION_NAMES.filter((other) => other !== name).map(iconDir),
          path.join(__dirname, 'host', 'icons'),
        ],
        grafanaVersion: grafanaVersion(generation),
      });
      addCleanup(server.close);
      hostUrls[name] = server.url;
    }

    const harness: HarnessFile = {
      grafanaUrl: api.url,
      hostUrls,
      logsDir,
      truthFile,
      tempDir,
      pluginHostPid: api.pid,
    };
    // Workers inherit the environment global setup leaves; the file is for people and tools.
    process.env[HARNESS_ENV] = JSON.stringify(harness);
    await writeFile(HARNESS_FILE, JSON.stringify(harness, null, 2));
    // stderr, so that `--reporter=json > file` stays valid JSON.
    const pages = GENERATION_NAMES.map((name) => `${name} ${hostUrls[name]}`).join(', ');
    process.stderr.write(`browser tests: plugin host ${api.url}, host pages: ${pages}\n`);
  } catch (error) {
    await runCleanups();
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

async function goRun(args: string[]) {
  try {
    await run('go', ['run', ...args], { cwd: REPO_ROOT, maxBuffer: 16 << 20 });
  } catch (error) {
    const { stdout = '', stderr = '' } = error as { stdout?: string; stderr?: string };
    throw new Error(`go run ${args.join(' ')} failed:\n${stdout}${stderr}`);
  }
}

async function goBuild(pkg: string, output: string) {
  try {
    await run('go', ['build', '-o', output, pkg], { cwd: REPO_ROOT, maxBuffer: 16 << 20 });
  } catch (error) {
    const { stdout = '', stderr = '' } = error as { stdout?: string; stderr?: string };
    throw new Error(`go build ${pkg} failed:\n${stdout}${stderr}`);
  }
}

/**
 * Runs the plugin host in its own process group (teardown stops it, and the plugin backend it
 * started, with SIGTERM) on a free port, and waits for the URL it writes to its ready file.
 */
async function startPluginHost(binary: string, tempDir: string, env: Record<string, string>) {
  const readyFile = path.join(tempDir, 'plugin-host-url');
  const logFile = path.join(OUTPUT_DIR, 'apifw-host.log');
  const output = openSync(logFile, 'w');
  const child = spawn(
    binary,
    [
      '-dist',
      DIST_DIR,
      '-provisioning',
      path.join(REPO_ROOT, 'provisioning'),
      // The plugins' data directory under the output directory, kept after the run for debugging.
      '-data',
      path.join(OUTPUT_DIR, 'plugin-host-data'),
      '-port',
      '0',
      '-ready-file',
      readyFile,
    ],
    { cwd: REPO_ROOT, env: { ...process.env, ...env }, detached: true, stdio: ['ignore', output, output] }
  );
  closeSync(output); // the child has its own copy
  const pid = child.pid;
  if (pid === undefined) {
    throw new Error('could not start the plugin host');
  }
  let exited: string | undefined;
  child.on('exit', (code, signal) => (exited = `exited with ${signal ?? code}`));

  const deadline = Date.now() + READY_TIMEOUT_MS;
  while (!existsSync(readyFile) || readFileSync(readyFile, 'utf8').trim() === '') {
    if (exited || Date.now() > deadline) {
      await stopProcessGroup(pid);
      const log = await readFile(logFile, 'utf8');
      const reason = exited ?? `did not report ready within ${READY_TIMEOUT_MS / 1000} s`;
      throw new Error(`the plugin host (cmd/apifw-host) ${reason}. Its output (${logFile}):\n${log}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  return { pid, url: readFileSync(readyFile, 'utf8').trim() };
}
