import React from 'react';
import { fireEvent, render, screen, waitFor } from '@testing-library/react';
import { type AppPluginMeta, PluginType } from '@grafana/data';

import { AppConfigPage, type AppConfigPageProps, type AppJsonData } from './AppConfigPage';

const mockPost = jest.fn();
const mockGetList = jest.fn();
const mockReloadPage = jest.fn();

jest.mock('@grafana/runtime', () => ({
  ...jest.requireActual('@grafana/runtime'),
  getBackendSrv: () => ({ post: mockPost }),
  getDataSourceSrv: () => ({ getList: mockGetList, reload: jest.fn() }),
  locationService: { reload: () => mockReloadPage() },
}));

function buildProps(meta: Partial<AppPluginMeta<AppJsonData>>): AppConfigPageProps {
  const pluginMeta = {
    id: 'apifw-monitor-app',
    name: 'API Firewall Monitor',
    type: PluginType.app,
    module: '',
    baseUrl: '',
    info: {} as AppPluginMeta['info'],
    enabled: false,
    pinned: false,
    jsonData: { keep: 'me' },
    ...meta,
  } as AppPluginMeta<AppJsonData>;
  return { plugin: { meta: pluginMeta } as AppConfigPageProps['plugin'], query: {} };
}

beforeEach(() => {
  jest.resetAllMocks();
  mockGetList.mockReturnValue([]);
});

describe('AppConfigPage', () => {
  it('enables the app, keeping its jsonData, then reloads Grafana', async () => {
    mockPost.mockResolvedValue({});
    render(<AppConfigPage {...buildProps({ enabled: false })} />);

    fireEvent.click(screen.getByRole('button', { name: 'Enable app' }));

    await waitFor(() => expect(mockReloadPage).toHaveBeenCalled());
    expect(mockPost.mock.calls[0][0]).toBe('/api/plugins/apifw-monitor-app/settings');
    expect(mockPost.mock.calls[0][1]).toEqual({ enabled: true, pinned: true, jsonData: { keep: 'me' } });
  });

  it('disables the app', async () => {
    mockPost.mockResolvedValue({});
    render(<AppConfigPage {...buildProps({ enabled: true, pinned: true })} />);

    fireEvent.click(screen.getByRole('button', { name: 'Disable app' }));

    await waitFor(() => expect(mockReloadPage).toHaveBeenCalled());
    expect(mockPost.mock.calls[0][1]).toEqual({ enabled: false, pinned: true, jsonData: { keep: 'me' } });
  });

  it('shows why the settings could not be saved', async () => {
    mockPost.mockRejectedValue({ status: 403, statusText: 'Forbidden', data: { message: 'Permission denied' } });
    render(<AppConfigPage {...buildProps({ enabled: false })} />);

    fireEvent.click(screen.getByRole('button', { name: 'Enable app' }));

    expect(await screen.findByRole('alert')).toHaveTextContent('403 Permission denied');
    expect(mockReloadPage).not.toHaveBeenCalled();
    expect(screen.getByRole('button', { name: 'Enable app' })).toBeEnabled();
  });

  it('links to the settings of the existing data source', () => {
    mockGetList.mockReturnValue([
      { uid: 'apifw-monitor', name: 'API Firewall Monitor', type: 'apifw-monitor-datasource' },
    ]);
    render(<AppConfigPage {...buildProps({ enabled: true })} />);

    expect(screen.getByRole('link', { name: /Open data source settings/ })).toHaveAttribute(
      'href',
      '/connections/datasources/edit/apifw-monitor'
    );
  });

  it('offers to create the data source when none exists', () => {
    render(<AppConfigPage {...buildProps({ enabled: true })} />);
    expect(screen.getByRole('button', { name: /Create data source/ })).toBeInTheDocument();
  });
});
