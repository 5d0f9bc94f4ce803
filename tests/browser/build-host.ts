import { build } from 'esbuild';
import path from 'node:path';

/**
 * Bundles the host page (host/main.tsx with React, @grafana/* and the other shared modules from
 * node_modules) into `outdir`: main.js, plus main.css for the stylesheets @grafana/ui imports.
 */
export async function buildHost(outdir: string): Promise<void> {
  await build({
    entryPoints: [path.join(__dirname, 'host', 'main.tsx')],
    outdir,
    bundle: true,
    format: 'iife',
    platform: 'browser',
    target: 'es2022',
    sourcemap: true,
    // React's development build turns mistakes such as missing keys or bad props into console
    // errors, which the specs fail on.
    define: { 'process.env.NODE_ENV': '"development"' },
    // Some dependencies read other process.env keys; give them an empty environment.
    banner: { js: 'var process = { env: { NODE_ENV: "development" } };' },
    loader: { '.svg': 'file', '.png': 'file', '.woff': 'file', '.woff2': 'file', '.ttf': 'file', '.eot': 'file' },
    logLevel: 'warning',
  });
}
