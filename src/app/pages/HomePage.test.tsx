import React from 'react';
import { fireEvent, render, screen, waitFor, within } from '@testing-library/react';
import type { DataSourceInstanceSettings } from '@grafana/data';

import { HomePage } from './HomePage';

const mockGet = jest.fn();
const mockPost = jest.fn();
const mockGetList = jest.fn();
const mockReload = jest.fn();

jest.mock('@grafana/runtime', () => ({
  ...jest.requireActual('@grafana/runtime'),
  getBackendSrv: () => ({ get: mockGet, post: mockPost }),
  getDataSourceSrv: () => ({ getList: mockGetList, reload: mockReload }),
}));

const monitorDataSource = {
  id: 3,
  uid: 'apifw-monitor',
  type: 'apifw-monitor-datasource',
  name: 'API Firewall Monitor',
  jsonData: { logRoots: ['/var/log/apifw', '/srv/stdout'] },
  access: 'proxy',
  readOnly: false,
  meta: {},
} as unknown as DataSourceInstanceSettings;

const healthyResponse = {
  status: 'OK',
  message: 'Indexed 12345 records from 2 log directories',
  details: {
    roots: [
      { path: '/var/log/apifw', instances: 3, transactionFiles: 7, records: 12000, badRecords: 2 },
      {
        path: '/srv/stdout',
        instances: 1,
        transactionFiles: 1,
        records: 345,
        badRecords: 0,
        error: 'permission denied: /srv/stdout/old',
      },
    ],
    records: 12345,
    badRecords: 2,
    badExamples: [{ file: '/var/log/apifw/fw-1/api-unknown.transaction.log', line: 17, reason: '<b>not json</b>' }],
  },
};

function fetchError(status: number, data: unknown) {
  return { status, statusText: 'Error', data, config: { url: '' } };
}

beforeEach(() => {
  jest.resetAllMocks();
});

describe('HomePage with a data source', () => {
  beforeEach(() => {
    mockGetList.mockReturnValue([monitorDataSource]);
  });

  it('looks up data sources of our type and shows what the health check found', async () => {
    mockGet.mockResolvedValue(healthyResponse);
    render(<HomePage />);

    expect(mockGetList).toHaveBeenCalledWith({ type: 'apifw-monitor-datasource' });
    expect(await screen.findByText('Healthy')).toBeInTheDocument();
    expect(mockGet.mock.calls[0][0]).toBe('/api/datasources/uid/apifw-monitor/health');

    const totals = within(screen.getByLabelText('Totals'));
    expect(totals.getByText('Records indexed').previousSibling).toHaveTextContent('12,345');
    expect(totals.getByText('Bad records').previousSibling).toHaveTextContent('2');
    expect(totals.getByText('Log directories').previousSibling).toHaveTextContent('2');
    expect(totals.getByText('Instances').previousSibling).toHaveTextContent('4');
    expect(totals.getByText('Transaction files').previousSibling).toHaveTextContent('8');

    const roots = within(screen.getByRole('list', { name: 'Log directories' })).getAllByRole('listitem');
    expect(roots).toHaveLength(2);
    expect(roots[0]).toHaveTextContent('/var/log/apifw');
    expect(within(roots[0]).getByText('3 instances')).toBeInTheDocument();
    expect(within(roots[0]).getByText('7 transaction files')).toBeInTheDocument();
    expect(within(roots[0]).getByText('12,000 records')).toBeInTheDocument();
    expect(within(roots[0]).getByText('2 bad records')).toBeInTheDocument();
    expect(within(roots[1]).getByText('permission denied: /srv/stdout/old')).toBeInTheDocument();

    // Log-derived text is shown literally.
    const examples = screen.getByRole('list', { name: 'Examples of skipped records' });
    expect(examples).toHaveTextContent('/var/log/apifw/fw-1/api-unknown.transaction.log:17');
    expect(within(examples).getByText('<b>not json</b>')).toBeInTheDocument();
    expect(examples.querySelector('b')).toBeNull();

    expect(screen.getByRole('link', { name: /Open data source settings/ })).toHaveAttribute(
      'href',
      '/connections/datasources/edit/apifw-monitor'
    );
    expect(screen.queryByRole('button', { name: /Create data source/ })).not.toBeInTheDocument();
  });

  it('shows the health message in an error alert when the check fails', async () => {
    // Grafana answers a failed health check with HTTP 400 and the result as body.
    mockGet.mockRejectedValue(
      fetchError(400, {
        status: 'ERROR',
        message: 'no log directory configured',
        details: { roots: [], records: 0, badRecords: 0, badExamples: [] },
      })
    );
    render(<HomePage />);

    const alert = await screen.findByRole('alert');
    expect(alert).toHaveTextContent('Health check failed');
    expect(alert).toHaveTextContent('no log directory configured');
    expect(screen.getByText('Not healthy')).toBeInTheDocument();
    expect(screen.getByText(/No log directories configured yet/)).toBeInTheDocument();
  });

  it('reports a transport failure as an error too', async () => {
    mockGet.mockRejectedValue(fetchError(502, { message: 'Bad Gateway' }));
    render(<HomePage />);

    expect(await screen.findByRole('alert')).toHaveTextContent('Health check request failed: 502 Bad Gateway');
    // Without details the configured directories are still listed.
    const configured = screen.getByRole('list', { name: 'Configured log directories' });
    expect(configured).toHaveTextContent('/var/log/apifw');
    expect(configured).toHaveTextContent('/srv/stdout');
  });

  it('runs the health check again on request', async () => {
    mockGet.mockResolvedValue(healthyResponse);
    render(<HomePage />);
    await screen.findByText('Healthy');

    fireEvent.click(screen.getByRole('button', { name: /Check again/ }));

    const healthCalls = () => mockGet.mock.calls.filter(([url]) => String(url).endsWith('/health')).length;
    await waitFor(() => expect(healthCalls()).toBe(2));
    expect(await screen.findByText('Healthy')).toBeInTheDocument();
  });
});

describe('HomePage without a data source', () => {
  beforeEach(() => {
    mockGetList.mockReturnValue([]);
  });

  it('creates the data source with the fixed uid and links to its settings', async () => {
    mockPost.mockResolvedValue({ datasource: { uid: 'apifw-monitor', name: 'API Firewall Monitor' }, id: 7 });
    mockReload.mockResolvedValue(undefined);
    render(<HomePage />);

    expect(screen.queryByRole('link', { name: /Open data source settings/ })).not.toBeInTheDocument();
    fireEvent.click(screen.getByRole('button', { name: /Create data source/ }));

    expect(await screen.findByText('Data source created')).toBeInTheDocument();
    expect(mockPost).toHaveBeenCalledTimes(1);
    expect(mockPost.mock.calls[0][0]).toBe('/api/datasources');
    expect(mockPost.mock.calls[0][1]).toEqual({
      name: 'API Firewall Monitor',
      type: 'apifw-monitor-datasource',
      access: 'proxy',
      uid: 'apifw-monitor',
      jsonData: { logRoots: [] },
    });
    expect(screen.getByRole('link', { name: /Open data source settings/ })).toHaveAttribute(
      'href',
      '/connections/datasources/edit/apifw-monitor'
    );
    expect(screen.queryByRole('button', { name: /Create data source/ })).not.toBeInTheDocument();
    expect(mockReload).toHaveBeenCalled();
  });

  it('treats an existing data source as success', async () => {
    mockPost.mockRejectedValue(fetchError(409, { message: 'data source with the same uid already exists' }));
    render(<HomePage />);

    fireEvent.click(screen.getByRole('button', { name: /Create data source/ }));

    expect(await screen.findByText('Data source already exists')).toBeInTheDocument();
    expect(screen.getByRole('link', { name: /Open data source settings/ })).toHaveAttribute(
      'href',
      '/connections/datasources/edit/apifw-monitor'
    );
  });

  it('shows why creating failed and lets the user try again', async () => {
    mockPost.mockRejectedValue(fetchError(403, { message: 'Permission denied' }));
    render(<HomePage />);

    fireEvent.click(screen.getByRole('button', { name: /Create data source/ }));

    const alert = await screen.findByRole('alert');
    expect(alert).toHaveTextContent('Could not create the data source');
    expect(alert).toHaveTextContent('403 Permission denied');
    expect(screen.getByRole('button', { name: /Create data source/ })).toBeEnabled();
  });
});
