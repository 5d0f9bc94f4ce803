/**
 * Links inside the preview: Grafana URLs (`/a/<app>/…`, `/d/<uid>`, `/dashboards`,
 * `/alerting/list`) mapped to the host page's own views, so data links, panel links and the
 * plugin's own navigation stay in the preview.
 */
import { locationService } from '@grafana/runtime';

export const APP_ID = 'apifw-monitor-app';

/** The host page's URL for a view, keeping the theme. */
export function viewUrl(view: string, params: Record<string, string | string[] | undefined> = {}): string {
  const search = new URLSearchParams({ view });
  const theme = new URLSearchParams(window.location.search).get('theme');
  if (theme) {
    search.set('theme', theme);
  }
  for (const [key, value] of Object.entries(params)) {
    for (const entry of ([] as Array<string | undefined>).concat(value)) {
      if (entry !== undefined) {
        search.append(key, entry);
      }
    }
  }
  return `/?${search}`;
}

export function appPageUrl(path: string, appId = APP_ID): string {
  return viewUrl('app', { plugin: appId, path: path.replace(/^\//, ''), nav: '1' });
}

export function dashboardUrl(uid: string, extra: URLSearchParams = new URLSearchParams()): string {
  const params: Record<string, string[]> = { uid: [uid] };
  for (const [key, value] of extra) {
    if (key === 'from' || key === 'to' || key === 'refresh' || key.startsWith('var-')) {
      (params[key] ??= []).push(value);
    }
  }
  return viewUrl('dashboard', params);
}

/** The host URL for a Grafana URL, or undefined when it is not one the preview can show. */
export function hostUrlFor(href: string, options: { skipAppPaths?: boolean } = {}): string | undefined {
  let url: URL;
  try {
    url = new URL(href, window.location.origin);
  } catch {
    return undefined;
  }
  if (url.origin !== window.location.origin) {
    return undefined;
  }
  const app = /^\/a\/([^/]+)\/?(.*)$/.exec(url.pathname);
  if (app) {
    return options.skipAppPaths ? undefined : appPageUrl(`${app[2]}${url.search}`, app[1]);
  }
  const dashboard = /^\/d\/([^/]+)/.exec(url.pathname);
  if (dashboard) {
    return dashboardUrl(decodeURIComponent(dashboard[1]), url.searchParams);
  }
  if (url.pathname === '/dashboards' || url.pathname === '/') {
    return url.pathname === '/' && url.search !== '' ? undefined : viewUrl('home');
  }
  if (url.pathname.startsWith('/alerting')) {
    return viewUrl('alerts');
  }
  if (url.pathname.startsWith(`/plugins/${APP_ID}`)) {
    return viewUrl('app-config', { plugin: APP_ID, nav: '1' });
  }
  return undefined;
}

let installed = false;

/**
 * Sends clicks on Grafana links, and the plugin's own locationService navigation, to the host's
 * views. With `skipAppPaths` (the app page's own router) links inside the app stay with the app.
 */
export function installLinkRouter(options: { skipAppPaths?: boolean } = {}) {
  if (installed) {
    return;
  }
  installed = true;
  document.addEventListener(
    'click',
    (event) => {
      if (event.defaultPrevented || event.button !== 0 || event.metaKey || event.ctrlKey || event.shiftKey) {
        return;
      }
      const anchor = (event.target as Element | null)?.closest?.('a[href]');
      const href = anchor?.getAttribute('href');
      if (!href || anchor?.getAttribute('target') === '_blank') {
        return;
      }
      const mapped = hostUrlFor(href, options);
      if (mapped) {
        event.preventDefault();
        window.location.assign(mapped);
      }
    },
    true
  );
  locationService.getHistory().listen((location: { pathname: string; search: string }) => {
    if (location.pathname === '/') {
      return;
    }
    const mapped = hostUrlFor(`${location.pathname}${location.search}`, options);
    if (mapped) {
      window.location.assign(mapped);
    }
  });
}
