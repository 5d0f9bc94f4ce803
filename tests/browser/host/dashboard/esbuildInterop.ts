import type { Plugin } from 'esbuild';

/**
 * CommonJS packages that @grafana/ui's ES modules (`.mjs`) import by default export, and that
 * mark themselves `__esModule` with an `exports.default`. esbuild follows Node's rules inside
 * `.mjs` files (the default import is the whole `module.exports`), so `CustomScrollbar` (used by
 * `Table`) would get an object instead of the `Scrollbars` component; webpack, which builds
 * Grafana, uses `exports.default`. Found by checking every default import of a CommonJS package
 * in @grafana/{ui,data,runtime}'s dist/esm.
 */
const PACKAGES = ['react-custom-scrollbars-2', 'calculate-size'];
const NAMESPACE = 'host-cjs-default';

/** Resolves those imports from `.mjs` files to a module that re-exports `exports.default` as webpack does. */
export function cjsDefaultInterop(): Plugin {
  const filter = new RegExp(`^(${PACKAGES.map((name) => name.replace(/[-/]/g, '\\$&')).join('|')})$`);
  return {
    name: 'host-cjs-default-interop',
    setup(build) {
      build.onResolve({ filter }, (args) =>
        args.importer.endsWith('.mjs') && args.namespace === 'file'
          ? { path: args.path, namespace: NAMESPACE, pluginData: { resolveDir: args.resolveDir } }
          : undefined
      );
      build.onLoad({ filter: /.*/, namespace: NAMESPACE }, (args) => ({
        // A plain .js module (not .mjs): esbuild's interop honours __esModule here.
        contents: `import * as cjs from ${JSON.stringify(args.path)};\nexport * from ${JSON.stringify(args.path)};\nexport default cjs.default;\n`,
        loader: 'js',
        resolveDir: (args.pluginData as { resolveDir: string }).resolveDir,
      }));
    },
  };
}
