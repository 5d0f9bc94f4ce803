/**
 * A minimal AMD loader: just enough to load the plugin's built `module.js` files the way Grafana
 * does. Webpack emits them as anonymous `define([...deps], factory)` modules whose dependencies are
 * the externals Grafana shares with plugins, plus the special `module` dependency webpack uses to
 * find its public path (and with it the lazily loaded chunks).
 */

type Factory = (...deps: unknown[]) => unknown;

interface Definition {
  deps: string[];
  factory: Factory;
}

interface AmdDefine {
  (deps: string[], factory: Factory): void;
  (factory: Factory): void;
  amd: object;
}

declare global {
  interface Window {
    define?: AmdDefine;
  }
}

const externals = new Map<string, unknown>();
// Keyed by the script element, because several module scripts may be in flight at once and
// `document.currentScript` is the only reliable link between a define() call and its file.
const definitions = new WeakMap<HTMLScriptElement | SVGScriptElement, Definition>();
const loaded = new Map<string, Promise<unknown>>();

/** Makes a shared dependency available to plugin modules under the name webpack imports it by. */
export function registerExternal(name: string, value: unknown) {
  externals.set(name, value);
}

function define(depsOrFactory: string[] | Factory, maybeFactory?: Factory) {
  const [deps, factory] = Array.isArray(depsOrFactory) ? [depsOrFactory, maybeFactory] : [[], depsOrFactory];
  const script = document.currentScript;
  if (!script || typeof factory !== 'function') {
    throw new Error('define() must be called with a factory while a module script runs');
  }
  definitions.set(script, { deps, factory });
}
define.amd = {};

export function installDefine() {
  window.define = define as AmdDefine;
}

/** Loads an AMD module by URL (once) and returns its exports. */
export function importAmdModule(url: string): Promise<unknown> {
  const absolute = new URL(url, window.location.href).href;
  let result = loaded.get(absolute);
  if (!result) {
    result = loadScript(absolute).then((definition) => instantiate(absolute, definition));
    loaded.set(absolute, result);
  }
  return result;
}

function loadScript(url: string): Promise<Definition> {
  return new Promise((resolve, reject) => {
    const script = document.createElement('script');
    script.src = url;
    script.async = true;
    script.onload = () => {
      const definition = definitions.get(script);
      if (definition) {
        resolve(definition);
      } else {
        reject(new Error(`${url} did not call define()`));
      }
    };
    script.onerror = () => reject(new Error(`Could not load ${url}`));
    document.head.appendChild(script);
  });
}

function instantiate(url: string, { deps, factory }: Definition): unknown {
  const exports: Record<string, unknown> = {};
  const args = deps.map((dep) => {
    switch (dep) {
      case 'module':
        return { uri: url, id: url, exports };
      case 'exports':
        return exports;
      case 'require':
        throw new Error(`${url}: the "require" dependency is not supported`);
      default:
        if (!externals.has(dep)) {
          throw new Error(`${url} imports "${dep}", which the host page does not provide`);
        }
        return externals.get(dep);
    }
  });
  const returned = factory(...args);
  return returned ?? exports;
}
