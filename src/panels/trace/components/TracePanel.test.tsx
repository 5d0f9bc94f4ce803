import React from 'react';
import { fireEvent, render, screen, waitFor, within } from '@testing-library/react';
import { of, throwError } from 'rxjs';

import { MASK } from 'shared/masking';
import { buildPanelProps } from 'shared/testing/panelProps';
import { traceFrames } from 'shared/trace/model.test';
import { DEFAULT_TRACE_OPTIONS, type TracePanelOptions } from '../types';
import { TracePanel } from './TracePanel';

const mockFetch = jest.fn();
jest.mock('@grafana/runtime', () => ({
  ...jest.requireActual('@grafana/runtime'),
  getBackendSrv: () => ({ fetch: mockFetch }),
}));

function props(options: Partial<TracePanelOptions>, frames = traceFrames()) {
  return buildPanelProps<TracePanelOptions>({ ...DEFAULT_TRACE_OPTIONS, ...options }, frames);
}

describe('TracePanel', () => {
  beforeEach(() => mockFetch.mockReset());

  it('shows the trace query frames: summary, failing step, masked headers, link to the explorer', () => {
    render(<TracePanel {...props({})} />);
    const summary = screen.getByRole('list', { name: 'Processing steps' });
    const failed = within(summary).getAllByRole('listitem')[1];
    expect(failed).toHaveAttribute('data-failed', 'true');
    expect(failed).toHaveTextContent('request.body');
    expect(screen.getByLabelText('Transaction summary')).toHaveTextContent('10.1.2.3 port 51000');
    expect(screen.getByRole('region', { name: 'Request headers (2)' })).toHaveTextContent(MASK);
    expect(screen.queryByText('Bearer leaked')).not.toBeInTheDocument();
    expect(screen.getByRole('link', { name: /Open in trace explorer/ })).toHaveAttribute(
      'href',
      '/a/apifw-monitor-app/trace-explorer?uuid=u-1'
    );
    expect(screen.getByRole('button', { name: 'Copy UUID' })).toBeInTheDocument();
    expect(mockFetch).not.toHaveBeenCalled();
  });

  it('looks a searched UUID up through the trace resource', async () => {
    mockFetch.mockReturnValue(
      of({
        data: {
          transaction: { uuid: 'u-9', method: 'GET', path: '/<script>x</script>', outcome: 'allowed', status: 200 },
          detail: null,
          detailError: 'gone',
        },
      })
    );
    render(<TracePanel {...props({}, [])} />);
    fireEvent.change(screen.getByLabelText('Transaction UUID'), { target: { value: ' u-9 ' } });
    fireEvent.submit(screen.getByRole('search'));
    expect(await screen.findByTestId('apifw-trace-path')).toHaveTextContent('/<script>x</script>');
    expect(document.querySelector('[data-testid="apifw-transaction-detail"] script')).toBeNull();
    expect(mockFetch.mock.calls[0][0].url).toBe('/api/datasources/uid/apifw-monitor/resources/trace/u-9');
    expect(screen.getByText('gone')).toBeInTheDocument();
  });

  it('takes the UUID from the option with variables, and reports unknown ones', async () => {
    mockFetch.mockReturnValue(
      throwError(() => ({ status: 404, data: { error: 'not found' }, statusText: 'Not Found' }))
    );
    const p = props({ uuid: '$uuid' }, []);
    p.replaceVariables = (value: string) => value.replace('$uuid', 'missing-1');
    render(<TracePanel {...p} />);
    expect(await screen.findByText(/No transaction missing-1/)).toBeInTheDocument();
  });

  it('asks for a UUID when there is nothing to show', async () => {
    render(<TracePanel {...props({}, [])} />);
    await waitFor(() => expect(screen.getByText(/No transaction selected/)).toBeInTheDocument());
  });
});
