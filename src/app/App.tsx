import React from 'react';
import { Navigate, Route, Routes } from 'react-router-dom';
import type { AppRootProps } from '@grafana/data';

import { APP_ROUTES } from 'shared/constants';
import { DataManagementPage } from './pages/dataManagement/DataManagementPage';
import { HomePage } from './pages/HomePage';
import { InstancesPage } from './pages/instances/InstancesPage';
import { TraceExplorerPage } from './pages/traceExplorer/TraceExplorerPage';
import { prefixRoute } from './routing';

/** Root page of the app. Grafana mounts it under /a/<app id>/*, so route paths here are relative. */
export function App(_props: AppRootProps) {
  return (
    <Routes>
      <Route path={APP_ROUTES.home} element={<HomePage />} />
      <Route path={APP_ROUTES.traceExplorer} element={<TraceExplorerPage />} />
      <Route path={APP_ROUTES.instances} element={<InstancesPage />} />
      <Route path={APP_ROUTES.dataManagement} element={<DataManagementPage />} />
      {/* Home is the default page: any other path under the app redirects there, keeping one URL per page. */}
      <Route path="*" element={<Navigate to={prefixRoute(APP_ROUTES.home)} replace />} />
    </Routes>
  );
}

export default App;
