import { execFile } from 'node:child_process';
import { existsSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';

/**
 * The Grafana frontend generations the host page is built for, one Playwright project each: the
 * newest (the repository's own node_modules: @grafana/* 13.2, React 19) and the oldest the plugin
 * claims in grafanaDependency (tests/browser/compat/grafana12: @grafana/* 12.4, React 18).
 */
export type GenerationName = 'grafana12' | 'grafana13';

export interface Generation {
  name: GenerationName;
  /** Package folder with its own package.json and lock file; undefined: the repository root. */
  packageDir?: string;
  /** Where the host page's react, @grafana/*, rxjs… resolve from; undefined: the repository's node_modules. */
  modulesDir?: string;
}

const REPO_ROOT = path.resolve(__dirname, '..', '..');
/**
 * The grafana12 package folder; APIFW_GRAFANA12_DIR names another one (with its own package.json
 * and lock file), e.g. to try a later 12.x before changing compat/grafana12.
 */
const GRAFANA12 = process.env.APIFW_GRAFANA12_DIR
  ? path.resolve(process.env.APIFW_GRAFANA12_DIR)
  : path.join(__dirname, 'compat', 'grafana12');

export const GENERATIONS: Record<GenerationName, Generation> = {
  grafana12: { name: 'grafana12', packageDir: GRAFANA12, modulesDir: path.join(GRAFANA12, 'node_modules') },
  grafana13: { name: 'grafana13' },
};

export const GENERATION_NAMES = Object.keys(GENERATIONS) as GenerationName[];

/** node_modules of a generation. */
export function nodeModules(generation: Generation): string {
  return generation.modulesDir ?? path.join(REPO_ROOT, 'node_modules');
}

/** The @grafana/ui version a generation's page runs (what Grafana's buildInfo.version would say). */
export function grafanaVersion(generation: Generation): string {
  const file = path.join(nodeModules(generation), '@grafana', 'ui', 'package.json');
  return (JSON.parse(readFileSync(file, 'utf8')) as { version: string }).version;
}

/**
 * Installs a generation's packages from its lock file (`npm ci --prefix`) when node_modules is
 * missing or older than the lock file; the repository's own node_modules is left to `npm ci`.
 */
export async function ensureGenerationInstalled(generation: Generation): Promise<void> {
  const dir = generation.packageDir;
  if (!dir) {
    return;
  }
  const lock = path.join(dir, 'package-lock.json');
  const installed = path.join(dir, 'node_modules', '.package-lock.json');
  if (existsSync(installed) && statSync(installed).mtimeMs >= statSync(lock).mtimeMs) {
    return;
  }
  process.stderr.write(`browser tests: installing the ${generation.name} packages (npm ci --prefix ${dir})\n`);
  try {
    await promisify(execFile)('npm', ['ci', '--prefix', dir, '--no-audit', '--no-fund', '--loglevel=error'], {
      cwd: REPO_ROOT,
      maxBuffer: 16 << 20,
    });
  } catch (error) {
    const { stdout = '', stderr = '' } = error as { stdout?: string; stderr?: string };
    throw new Error(`npm ci --prefix ${dir} failed:\n${stdout}${stderr}`);
  }
}
