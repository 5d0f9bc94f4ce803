import React from 'react';
import { render, screen } from '@testing-library/react';
import { MemoryRouter, Route, Routes, useLocation } from 'react-router-dom';
import type { AppRootProps } from '@grafana/data';

import { App } from './App';

jest.mock('@grafana/runtime', () => ({
  ...jest.requireActual('@grafana/runtime'),
  getBackendSrv: () => ({ get: jest.fn(), post: jest.fn() }),
  getDataSourceSrv: () => ({ getList: () => [], reload: jest.fn() }),
}));

function CurrentPath() {
  return <output aria-label="current path">{useLocation().pathname}</output>;
}

// Grafana mounts an app's root page under /a/<app id>/*; reproduce that here.
function renderAt(path: string) {
  render(
    <MemoryRouter initialEntries={[path]} future={{ v7_startTransition: true, v7_relativeSplatPath: true }}>
      <Routes>
        <Route path="/a/apifw-monitor-app/*" element={<App {...({} as AppRootProps)} />} />
      </Routes>
      <CurrentPath />
    </MemoryRouter>
  );
}

describe('App routes', () => {
  it('shows the home page at /home', () => {
    renderAt('/a/apifw-monitor-app/home');
    expect(screen.getByRole('button', { name: /Create data source/ })).toBeInTheDocument();
    expect(screen.getByLabelText('current path')).toHaveTextContent('/a/apifw-monitor-app/home');
  });

  it('redirects any other app path to home', () => {
    renderAt('/a/apifw-monitor-app/no-such-page');
    expect(screen.getByLabelText('current path')).toHaveTextContent('/a/apifw-monitor-app/home');
    expect(screen.getByRole('button', { name: /Create data source/ })).toBeInTheDocument();
  });
});
