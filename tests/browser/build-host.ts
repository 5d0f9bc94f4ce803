import { build, type Plugin } from 'esbuild';
import path from 'node:path';

import { GENERATIONS, type Generation } from './generations';
import { cjsDefaultInterop } from './host/dashboard/esbuildInterop';

const HOST_DIR = path.join(__dirname, 'host');
const REPO_NODE_MODULES = path.resolve(__dirname, '..', '..', 'node_modules');

/**
 * Bundles the host page (host/main.tsx with React, @grafana/* and the other shared modules) into
 * `outdir`: main.js, plus main.css for the stylesheets @grafana/ui imports. The packages come from
 * the generation's own node_modules: the repository's for grafana13, tests/browser/compat/<name>
 * for older ones, so the same host code runs on each generation's React and @grafana/*.
 */
export async function buildHost(outdir: string, generation: Generation = GENERATIONS.grafana13): Promise<void> {
  const plugins: Plugin[] = [];
  if (generation.modulesDir) {
    plugins.push(resolveFrom(generation.modulesDir));
  }
  // CommonJS default exports imported by @grafana/ui's .mjs files, taken as webpack does.
  plugins.push(cjsDefaultInterop());
  const result = await build({
    entryPoints: [path.join(HOST_DIR, 'main.tsx')],
    outdir,
    bundle: true,
    format: 'iife',
    platform: 'browser',
    target: 'es2022',
    sourcemap: true,
    metafile: !!generation.modulesDir,
    plugins,
    // Packages without an exports map: their CommonJS main too (see resolveFrom).
    ...(generation.modulesDir ? { mainFields: ['browser', 'main', 'module'] } : {}),
    // React's development build turns mistakes such as missing keys or bad props into console
    // errors, which the specs fail on.
    define: { 'process.env.NODE_ENV': '"development"', 'process.env.HOST_GENERATION': JSON.stringify(generation.name) },
    // Some dependencies read other process.env keys; give them an empty environment.
    banner: { js: 'var process = { env: { NODE_ENV: "development" } };' },
    loader: { '.svg': 'file', '.png': 'file', '.woff': 'file', '.woff2': 'file', '.ttf': 'file', '.eot': 'file' },
    logLevel: 'warning',
  });
  if (generation.modulesDir && result.metafile) {
    // Nothing of the repository's (newer) React or @grafana/* may slip into an older generation's page.
    const leaked = Object.keys(result.metafile.inputs).filter((input) =>
      /^(react|react-dom|react-router|rxjs|@grafana|@emotion)\//.test(
        path.relative(REPO_NODE_MODULES, path.resolve(input)).replace(/\\/g, '/')
      )
    );
    if (leaked.length > 0) {
      throw new Error(
        `${generation.name} host page bundled modules of the repository's node_modules:\n${leaked.join('\n')}`
      );
    }
  }
}

/**
 * Bare imports of the host page's own source resolve from `modulesDir` (their dependencies then
 * follow from there). Inside that generation everything is resolved as `require` would: the ES
 * module builds of @grafana/ui 12.0 on npm are broken (rollup left exports such as
 * TimeRangePicker and AsyncSelect out of their files, so esbuild cannot link them), its CommonJS
 * builds are whole, and one module format for all packages keeps a single copy of each
 * (@emotion/css, React).
 */
function resolveFrom(modulesDir: string): Plugin {
  const compatDir = path.dirname(modulesDir);
  return {
    name: 'host-generation-modules',
    setup(pluginBuild) {
      pluginBuild.onResolve({ filter: /^[^./]/ }, async (args) => {
        const fromHost = args.importer.startsWith(HOST_DIR + path.sep);
        const fromModules = args.importer.startsWith(modulesDir + path.sep);
        if (args.pluginData === 'generation' || args.namespace !== 'file' || (!fromHost && !fromModules)) {
          return undefined;
        }
        const options = {
          resolveDir: fromHost ? compatDir : args.resolveDir,
          importer: args.importer,
          pluginData: 'generation',
        };
        const asRequire = await pluginBuild.resolve(args.path, { ...options, kind: 'require-call' });
        if (asRequire.errors.length === 0) {
          return asRequire;
        }
        const asImport = await pluginBuild.resolve(args.path, { ...options, kind: args.kind });
        return asImport.errors.length > 0 ? { errors: asImport.errors } : asImport;
      });
    },
  };
}
