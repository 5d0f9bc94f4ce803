import React from 'react';
import { act, fireEvent, render, screen, within } from '@testing-library/react';
import { config } from '@grafana/runtime';
import { of, throwError } from 'rxjs';

import { DataManagementPage } from './DataManagementPage';

const mockFetch = jest.fn();
jest.mock('@grafana/runtime', () => ({
  ...jest.requireActual('@grafana/runtime'),
  getBackendSrv: () => ({ fetch: mockFetch }),
  getDataSourceSrv: () => ({ getList: () => [{ uid: 'apifw-monitor', name: 'API Firewall Monitor' }] }),
  PluginPage: ({ children }: React.PropsWithChildren) => <div>{children}</div>,
}));

const purgeUrl = '/api/datasources/uid/apifw-monitor/resources/purge';
const hostilePath = '/var/log/<img src=x onerror=alert(1)>.log';

const purgeAnswer = {
  files: [
    { path: '/var/log/a.log', status: 'rewritten', removed: 3, kept: 40 },
    { path: '/var/log/b.log', status: 'clean', removed: 0, kept: 12 },
    { path: hostilePath, status: 'refused', removed: 0, kept: 0, reason: 'written in the last minute' },
    { path: '/var/log/ro.log', status: 'failed', removed: 0, kept: 5, reason: 'permission denied' },
  ],
};

// The page renders many Grafana components; on a loaded machine the first render takes seconds.
jest.setTimeout(30_000);

// Grafana's comboboxes measure their text on a canvas, which jsdom lacks.
beforeAll(() => {
  jest
    .spyOn(HTMLCanvasElement.prototype, 'getContext')
    .mockReturnValue({ measureText: () => ({ width: 40 }) } as unknown as CanvasRenderingContext2D);
});

const user = config.bootData.user;
function signIn(orgRole: string) {
  config.bootData.user = { ...user, orgRole, isGrafanaAdmin: false } as typeof user;
}
afterAll(() => {
  config.bootData.user = user;
});

async function confirmPurge() {
  const section = await screen.findByRole('region', { name: 'Remove deleted records from the log files' });
  fireEvent.click(within(section).getByRole('button', { name: /Purge log files/ }));
  const dialog = await screen.findByRole('dialog');
  // ConfirmModal submits its form on a timer: let it run inside act.
  await act(async () => {
    fireEvent.click(within(dialog).getByRole('button', { name: 'Purge' }));
    await new Promise((resolve) => setTimeout(resolve, 0));
  });
  return section;
}

describe('DataManagementPage', () => {
  beforeEach(() => {
    signIn('Admin');
    mockFetch.mockReset();
    mockFetch.mockImplementation((request: { url: string }) => {
      if (request.url === purgeUrl) {
        return of({ data: purgeAnswer, status: 200 });
      }
      return of({ data: { deletions: [] }, status: 200 });
    });
  });

  it('purges after confirmation and lists the files that were not clean, as text', async () => {
    render(<DataManagementPage />);
    const section = await confirmPurge();

    expect(await within(section).findByTestId('apifw-purge-summary')).toHaveTextContent(
      '1 file rewritten, 3 records removed, 1 refused, 1 failed'
    );
    const purges = mockFetch.mock.calls.filter(([request]) => request.url === purgeUrl);
    expect(purges).toHaveLength(1);
    expect(purges[0][0].method).toBe('POST');

    const rows = within(section).getAllByRole('row').slice(1);
    expect(
      rows.map((row) =>
        within(row)
          .getAllByRole('cell')
          .map((cell) => cell.textContent)
      )
    ).toEqual([
      ['/var/log/ro.log', 'failed', '0', 'permission denied'],
      [hostilePath, 'refused', '0', 'written in the last minute'],
      ['/var/log/a.log', 'rewritten', '3', '—'],
    ]);
    // The clean file is not listed, and the hostile path stays text.
    expect(within(section).queryByText('/var/log/b.log')).not.toBeInTheDocument();
    expect(section.querySelector('img')).toBeNull();
  });

  it('does nothing when the confirmation is dismissed', async () => {
    render(<DataManagementPage />);
    const section = await screen.findByRole('region', { name: 'Remove deleted records from the log files' });
    fireEvent.click(within(section).getByRole('button', { name: /Purge log files/ }));
    fireEvent.click(within(await screen.findByRole('dialog')).getByRole('button', { name: 'Cancel' }));
    expect(mockFetch.mock.calls.some(([request]) => request.url === purgeUrl)).toBe(false);
  });

  it('shows a refused purge in an error alert', async () => {
    mockFetch.mockImplementation((request: { url: string }) =>
      request.url === purgeUrl
        ? throwError(() => ({ status: 403, statusText: 'Forbidden', data: { error: 'administrators only' } }))
        : of({ data: { deletions: [] }, status: 200 })
    );
    render(<DataManagementPage />);
    const section = await confirmPurge();
    const alert = await within(section).findByRole('alert');
    expect(alert).toHaveTextContent('Purge failed');
    expect(alert).toHaveTextContent('403 administrators only');
  });

  it('shows non-admins neither deletion nor purge', () => {
    signIn('Editor');
    render(<DataManagementPage />);
    expect(screen.getByText('Administrators only')).toBeInTheDocument();
    expect(screen.queryByRole('button', { name: /Purge log files/ })).not.toBeInTheDocument();
  });
});
