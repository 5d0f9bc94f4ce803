/**
 * The preview views of the host page: `home` (the default), `dashboard` and `alerts`. With the
 * plugin host (cmd/apifw-host) they show the product to someone without Grafana; see
 * ../../README.md.
 */
import React from 'react';
import type { AppPluginMeta, GrafanaTheme2 } from '@grafana/data';
import { getBackendSrv } from '@grafana/runtime';

import { AlertsPage } from './AlertsPage';
import { DashboardPage } from './DashboardPage';
import { HomePage, type HomeLink } from './HomePage';
import { APP_ID, appPageUrl, hostUrlFor, installLinkRouter, viewUrl } from './links';
import type { DashboardModel } from './model';
import { BUNDLED_DASHBOARDS } from './TopBar';

interface Context {
  params: URLSearchParams;
  pluginId: string;
  theme: GrafanaTheme2;
}

export async function loadDashboardView({ params, theme }: Context): Promise<React.ReactElement> {
  const uid = params.get('uid');
  if (!uid) {
    throw new Error('?view=dashboard needs uid=<dashboard uid>');
  }
  const { dashboard } = await getBackendSrv().get<{ dashboard: DashboardModel }>(
    `/api/dashboards/uid/${encodeURIComponent(uid)}`
  );
  if (!dashboard || !Array.isArray(dashboard.panels)) {
    throw new Error(`/api/dashboards/uid/${uid} returned no dashboard`);
  }
  installLinkRouter();
  document.title = `${dashboard.title} · plugin host preview`;
  return <DashboardPage dashboard={dashboard} theme={theme} />;
}

export async function loadAlertsView(_context: Context): Promise<React.ReactElement> {
  installLinkRouter();
  document.title = 'Alert rules · plugin host preview';
  return <AlertsPage />;
}

interface Include {
  type: string;
  name: string;
  path?: string;
  uid?: string;
}

export async function loadHomeView({ pluginId }: Context): Promise<React.ReactElement> {
  // The plugin host also serves this page at Grafana's own paths (/a/<app>/…, /d/<uid>): show the
  // matching view.
  const { pathname, search } = window.location;
  const mapped = pathname !== '/' && pathname !== '/index.html' ? hostUrlFor(`${pathname}${search}`) : undefined;
  if (mapped) {
    window.location.replace(mapped);
    return <p>Opening {mapped}…</p>;
  }
  const appId = pluginId || APP_ID;
  const meta = await getBackendSrv().get<AppPluginMeta & { includes?: Include[]; name: string }>(
    `/api/plugins/${encodeURIComponent(appId)}/settings`
  );
  const includes = meta.includes ?? [];
  const pages: HomeLink[] = includes
    .filter((include) => include.type === 'page' && include.path)
    .map((include) => ({
      title: include.name,
      href: hostUrlFor(include.path!) ?? appPageUrl(include.path!.replace(`/a/${appId}/`, ''), appId),
    }));
  const dashboards = await dashboardLinks(includes);
  installLinkRouter();
  document.title = 'Plugin host preview';
  return <HomePage appName={meta.name ?? appId} pages={pages} dashboards={dashboards} />;
}

/** The app's dashboards, by uid from the search API (the includes name only their files), else the known uids. */
async function dashboardLinks(includes: Include[]): Promise<HomeLink[]> {
  const titles = includes.filter((include) => include.type === 'dashboard').map((include) => include.name);
  let found: Array<{ uid: string; title: string }> = [];
  try {
    found =
      (await getBackendSrv().get<Array<{ uid: string; title: string }>>('/api/search', { type: 'dash-db' })) ?? [];
  } catch {
    found = [];
  }
  const known = titles.length > 0 ? titles : BUNDLED_DASHBOARDS.map((dashboard) => dashboard.title);
  return known.map((title) => {
    const uid =
      found.find((item) => item.title === title)?.uid ??
      BUNDLED_DASHBOARDS.find((dashboard) => dashboard.title === title)?.uid ??
      '';
    return { title, href: viewUrl('dashboard', { uid }) };
  });
}
