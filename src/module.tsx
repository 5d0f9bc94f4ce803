import React, { lazy, Suspense } from 'react';
import { AppPlugin, type AppRootProps } from '@grafana/data';
import { LoadingPlaceholder } from '@grafana/ui';

import type { AppConfigPageProps, AppJsonData } from './app/pages/AppConfigPage';

// Pages are loaded on demand so the app module stays small for Grafana's start-up.
const LazyApp = lazy(() => import('./app/App'));
const LazyAppConfigPage = lazy(() => import('./app/pages/AppConfigPage'));

function AppRoot(props: AppRootProps<AppJsonData>) {
  return (
    <Suspense fallback={<LoadingPlaceholder text="Loading…" />}>
      <LazyApp {...props} />
    </Suspense>
  );
}

function AppConfig(props: AppConfigPageProps) {
  return (
    <Suspense fallback={<LoadingPlaceholder text="Loading…" />}>
      <LazyAppConfigPage {...props} />
    </Suspense>
  );
}

export const plugin = new AppPlugin<AppJsonData>().setRootPage(AppRoot).addConfigPage({
  title: 'Configuration',
  icon: 'cog',
  body: AppConfig,
  id: 'configuration',
});
