import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';

export interface HostServerOptions {
  /** Base URL of the plugin host (Grafana's HTTP API), e.g. http://127.0.0.1:37165 */
  grafanaUrl: string;
  /** Directory with the bundled host page (main.js, main.css). */
  hostDir: string;
  /**
   * Directories with @grafana/ui's icon SVGs, tried in order. Grafana's frontend build copies its
   * icons to public/build/img/icons; here they come from the page's own @grafana/ui and, for an
   * icon that version lacks, from the other generation's.
   */
  iconsDirs: string[];
  /** The Grafana version the page's boot data reports (buildInfo), the page's @grafana/ui version. */
  grafanaVersion: string;
}

// Where @grafana/ui fetches its icon SVGs: public/build/img/icons (13.x, the frontend build's copy)
// or public/img/icons (12.0); Grafana serves both.
const ICON_ROUTES = ['/public/build/img/icons/', '/public/img/icons/'];
const GRAFANA_AUTH = `Basic ${Buffer.from('admin:admin').toString('base64')}`;

const CONTENT_TYPES: Record<string, string> = {
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.map': 'application/json',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.woff': 'font/woff',
  '.woff2': 'font/woff2',
  '.ttf': 'font/ttf',
};

/**
 * The page the browser opens. Everything is same-origin: the host page and its bundle, and
 * /api/* and /public/* proxied to the plugin host (logged in as admin), so every request the
 * plugin makes reaches the real backend and every plugin file comes from the host's plugin file
 * server, at the paths Grafana uses.
 */
export async function startHostServer(
  options: HostServerOptions
): Promise<{ url: string; close: () => Promise<void> }> {
  const grafana = new URL(options.grafanaUrl);

  const server = http.createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://host');
    const route = url.pathname;
    let handled: Promise<void>;
    if (route === '/' || route === '/index.html') {
      handled = serveIndex(res, options, url.searchParams.get('theme'));
    } else if (route.startsWith('/host/')) {
      handled = serveFile(res, options.hostDir, route.slice('/host/'.length)).then((served) => {
        if (!served) {
          notFound(res);
        }
      });
    } else if (ICON_ROUTES.some((prefix) => route.startsWith(prefix))) {
      const icon = route.slice(ICON_ROUTES.find((prefix) => route.startsWith(prefix))!.length);
      handled = serveFirst(res, options.iconsDirs, icon).then((served) => {
        if (!served) {
          notFound(res);
        }
      });
    } else if (route.startsWith('/api/') || route.startsWith('/public/') || route.startsWith('/avatar/')) {
      handled = proxy(req, res, grafana);
    } else {
      handled = Promise.resolve(notFound(res));
    }
    handled.catch((error: unknown) => {
      if (!res.headersSent) {
        res.writeHead(502, { 'Content-Type': 'text/plain' });
      }
      res.end(`host server: ${String(error)}`);
    });
  });

  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise((resolve, reject) => {
        server.closeAllConnections();
        server.close((error) => (error ? reject(error) : resolve()));
      }),
  };
}

/**
 * Like Grafana's index.html: the boot data (frontend settings and signed-in user) is inlined,
 * because @grafana/runtime reads window.grafanaBootData as soon as it is imported.
 */
async function serveIndex(res: http.ServerResponse, options: HostServerOptions, theme: string | null) {
  const [settings, user] = await Promise.all([
    grafanaJson(options.grafanaUrl, '/api/frontend/settings'),
    grafanaJson(options.grafanaUrl, '/api/user'),
  ]);
  // The version of the Grafana frontend this page stands for (its @grafana/* packages).
  const buildInfo = (settings.buildInfo ?? {}) as Record<string, unknown>;
  settings.buildInfo = {
    ...buildInfo,
    version: options.grafanaVersion,
    versionString: `Grafana plugin test host (frontend packages ${options.grafanaVersion})`,
  };
  const themeId = theme === 'light' ? 'light' : 'dark';
  const bootData = {
    settings,
    user: { ...user, theme: themeId, lightTheme: themeId === 'light' },
    navTree: [],
    assets: { light: '', dark: '' },
  };
  // `<` is escaped so no value from the server can close the script element.
  const inline = JSON.stringify(bootData).replace(/</g, '\\u003c');
  res.writeHead(200, { 'Content-Type': 'text/html; charset=utf-8', 'Cache-Control': 'no-store' });
  res.end(`<!doctype html>
<html lang="en">
  <head>
    <meta charset="utf-8" />
    <title>apifw-monitor plugin test host</title>
    <!-- No favicon request: a 404 would show up as a console error. -->
    <link rel="icon" href="data:," />
    <link rel="stylesheet" href="/host/main.css" />
    <style>
      body {
        margin: 0;
      }
    </style>
    <script>
      window.grafanaBootData = ${inline};
      window.__grafana_public_path__ = '/public/';
    </script>
    <script src="/host/main.js" defer></script>
  </head>
  <body>
    <div id="root"></div>
  </body>
</html>
`);
}

async function grafanaJson(grafanaUrl: string, apiPath: string): Promise<Record<string, unknown>> {
  const response = await fetch(new URL(apiPath, grafanaUrl), { headers: { Authorization: GRAFANA_AUTH } });
  if (!response.ok) {
    throw new Error(`${apiPath}: ${response.status} ${await response.text()}`);
  }
  return (await response.json()) as Record<string, unknown>;
}

/** Sends the file from the first root that has it; false when none has. */
async function serveFirst(res: http.ServerResponse, roots: string[], relative: string): Promise<boolean> {
  for (const root of roots) {
    if (await serveFile(res, root, relative)) {
      return true;
    }
  }
  return false;
}

/** Sends a file under root; false when there is no such file. */
async function serveFile(res: http.ServerResponse, root: string, relative: string): Promise<boolean> {
  const file = path.resolve(root, decodeURIComponent(relative));
  // Only files under root, whatever the URL says.
  if (!file.startsWith(path.resolve(root) + path.sep)) {
    return false;
  }
  const info = await stat(file).catch(() => undefined);
  if (!info?.isFile()) {
    return false;
  }
  res.writeHead(200, {
    'Content-Type': CONTENT_TYPES[path.extname(file)] ?? 'application/octet-stream',
    'Content-Length': info.size,
  });
  createReadStream(file).pipe(res);
  return true;
}

function proxy(req: http.IncomingMessage, res: http.ServerResponse, grafana: URL): Promise<void> {
  return new Promise((resolve, reject) => {
    const headers = { ...req.headers, host: grafana.host, authorization: GRAFANA_AUTH };
    // The browser's cookies and origin belong to the host page, not to Grafana.
    delete headers.cookie;
    delete headers.origin;
    delete headers.referer;
    const upstream = http.request(
      { hostname: grafana.hostname, port: grafana.port, path: req.url, method: req.method, headers },
      (answer) => {
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
        answer.on('end', resolve);
      }
    );
    upstream.on('error', reject);
    req.pipe(upstream);
  });
}

function notFound(res: http.ServerResponse) {
  res.writeHead(404, { 'Content-Type': 'text/plain' });
  res.end('not found');
}
