import React from 'react';
import { fireEvent, render, screen, waitFor } from '@testing-library/react';
import { MemoryRouter, Route, Routes, useLocation } from 'react-router-dom';
import { of } from 'rxjs';

import { TraceExplorerPage } from './TraceExplorerPage';

const mockFetch = jest.fn();
jest.mock('@grafana/runtime', () => ({
  ...jest.requireActual('@grafana/runtime'),
  getBackendSrv: () => ({ fetch: mockFetch }),
  getDataSourceSrv: () => ({ getList: () => [{ uid: 'apifw-monitor', name: 'API Firewall Monitor' }] }),
  PluginPage: ({ children }: React.PropsWithChildren) => <div>{children}</div>,
}));

const transactionsAnswer = {
  results: {
    A: {
      frames: [
        {
          schema: {
            name: 'transactions',
            fields: [
              { name: 'time', type: 'time' },
              { name: 'uuid', type: 'string' },
              { name: 'method', type: 'string' },
              { name: 'path', type: 'string' },
              { name: 'status', type: 'number' },
              { name: 'outcome', type: 'string' },
            ],
          },
          data: {
            values: [
              [2000, 1000],
              ['u-new', 'u-old'],
              ['GET', 'POST'],
              ['/<b>a</b>', '/b'],
              [200, 403],
              ['allowed', 'blocked'],
            ],
          },
        },
      ],
    },
  },
};

function Location() {
  const location = useLocation();
  return <output aria-label="location">{location.search}</output>;
}

function renderAt(search: string) {
  render(
    <MemoryRouter
      initialEntries={[`/a/apifw-monitor-app/trace-explorer${search}`]}
      future={{ v7_startTransition: true, v7_relativeSplatPath: true }}
    >
      <Routes>
        <Route path="/a/apifw-monitor-app/trace-explorer" element={<TraceExplorerPage />} />
      </Routes>
      <Location />
    </MemoryRouter>
  );
}

// The page renders many Grafana components; on a loaded machine the first render takes seconds.
jest.setTimeout(30_000);

// Grafana's comboboxes measure their text on a canvas, which jsdom lacks.
beforeAll(() => {
  jest
    .spyOn(HTMLCanvasElement.prototype, 'getContext')
    .mockReturnValue({ measureText: () => ({ width: 40 }) } as unknown as CanvasRenderingContext2D);
});

describe('TraceExplorerPage', () => {
  beforeEach(() => {
    mockFetch.mockReset();
    mockFetch.mockImplementation((request: { url: string }) => {
      if (request.url === '/api/ds/query') {
        return of({ data: transactionsAnswer, status: 200 });
      }
      if (request.url.includes('/resources/trace/')) {
        return of({
          data: {
            transaction: { uuid: 'u-old', method: 'POST', path: '/b', outcome: 'blocked', status: 403 },
            detail: null,
          },
        });
      }
      return of({ data: { values: [] } });
    });
  });

  it('queries with the URL filters and lists blocked transactions first', async () => {
    renderAt('?outcome=blocked&clientIp=10.0.0.0/8&from=1000&to=5000');
    const open = await screen.findAllByRole('button', { name: /^Open transaction / });
    expect(open.map((button) => button.getAttribute('aria-label'))).toEqual([
      'Open transaction u-old',
      'Open transaction u-new',
    ]);
    const body = mockFetch.mock.calls.find(([request]) => request.url === '/api/ds/query')![0].data;
    expect(body.from).toBe('1000');
    expect(body.to).toBe('5000');
    expect(body.queries[0]).toMatchObject({
      queryType: 'transactions',
      limit: 100,
      filters: { outcome: ['blocked'], clientIp: '10.0.0.0/8' },
      datasource: { uid: 'apifw-monitor' },
    });
    // Log text is shown as text.
    expect(screen.getByText('/<b>a</b>')).toBeInTheDocument();
  });

  it('opens a transaction into the URL and closes it again', async () => {
    renderAt('?outcome=blocked');
    fireEvent.click(await screen.findByRole('button', { name: 'Open transaction u-old' }));
    expect(screen.getByLabelText('location')).toHaveTextContent('?uuid=u-old&outcome=blocked');
    expect(await screen.findByTestId('apifw-trace-path')).toHaveTextContent('/b');
    expect(
      mockFetch.mock.calls.some(
        ([request]) => request.url === '/api/datasources/uid/apifw-monitor/resources/trace/u-old'
      )
    ).toBe(true);
    fireEvent.click(screen.getByRole('button', { name: 'Close' }));
    expect(screen.getByLabelText('location')).toHaveTextContent('?outcome=blocked');
  });

  it('searches a UUID and writes typed filters to the URL', async () => {
    renderAt('');
    fireEvent.change(screen.getByLabelText('Transaction UUID'), { target: { value: 'u-old' } });
    fireEvent.submit(screen.getByRole('search'));
    expect(screen.getByLabelText('location')).toHaveTextContent('?uuid=u-old');
    const path = screen.getByLabelText('Path');
    fireEvent.change(path, { target: { value: '/api/*' } });
    fireEvent.keyDown(path, { key: 'Enter' });
    await waitFor(() => expect(screen.getByLabelText('location')).toHaveTextContent('?uuid=u-old&path=%2Fapi%2F*'));
  });

  it("applies and shows a dashboard link's filters: the API by name with its id, the dimension filters", async () => {
    renderAt(
      '?api=a1&apiName=Pets&var-instance=fw-1&clientCountry=NL&errorMessage=bad%20body&outcome=blocked&from=1000&to=5000'
    );
    await screen.findAllByRole('button', { name: /^Open transaction / });
    const body = mockFetch.mock.calls.find(([request]) => request.url === '/api/ds/query')![0].data;
    expect(body.queries[0].filters).toEqual({
      api: ['a1'],
      instance: ['fw-1'],
      outcome: ['blocked'],
      errorMessage: ['bad body'],
      clientCountry: ['NL'],
    });
    const applied = screen.getByRole('region', { name: 'Applied filters' });
    expect(applied).toHaveTextContent('API: Pets (a1)');
    expect(applied).toHaveTextContent('Client country: NL');
    expect(applied).toHaveTextContent('Error message: bad body');
    // Clearing the filters drops the names that came with the link's ids too.
    fireEvent.click(screen.getByRole('button', { name: 'Clear filters' }));
    expect(screen.getByLabelText('location')).toHaveTextContent('?from=1000&to=5000');
    expect(screen.queryByRole('region', { name: 'Applied filters' })).not.toBeInTheDocument();
  });
});
