import React from 'react';
import { render, screen, within } from '@testing-library/react';
import { createDataFrame, FieldType } from '@grafana/data';

import { rowEntries } from 'shared/testing/frameListRows';
import { buildPanelProps } from 'shared/testing/panelProps';
import { TracePanel } from './TracePanel';

const XSS_HEADER = '<img src=x onerror=alert(1)>';

function transactionsFrame() {
  return createDataFrame({
    name: 'Transactions',
    fields: [
      { name: 'uuid', type: FieldType.string, values: ['0a1b-blocked', '9f8e-allowed'] },
      {
        name: 'time',
        type: FieldType.time,
        values: [Date.UTC(2024, 1, 21, 8, 31, 22), Date.UTC(2024, 1, 21, 8, 32, 0)],
      },
      { name: 'method', type: FieldType.string, values: ['POST', 'GET'] },
      { name: 'status', type: FieldType.number, values: [403, 200] },
      { name: 'userAgent', type: FieldType.string, values: [XSS_HEADER, 'curl/8.5.0'] },
    ],
  });
}

function stepsFrame() {
  return createDataFrame({
    name: 'Steps',
    fields: [
      { name: 'step', type: FieldType.string, values: ['request_fetching', 'hostpath_mapping'] },
      { name: 'durationMicros', type: FieldType.number, values: [120, 35] },
    ],
  });
}

describe('TracePanel', () => {
  it('lists every frame with its rows as text', () => {
    render(<TracePanel {...buildPanelProps({ uuid: '' }, [transactionsFrame(), stepsFrame()])} />);

    const transactions = within(screen.getByRole('region', { name: 'Transactions' }));
    const rows = transactions.getAllByRole('listitem');
    expect(rows).toHaveLength(2);
    expect(rowEntries(rows[0])).toEqual({
      uuid: '0a1b-blocked',
      time: '2024-02-21 08:31:22.000',
      method: 'POST',
      status: '403',
      userAgent: XSS_HEADER,
    });

    const steps = within(screen.getByRole('region', { name: 'Steps' }));
    expect(steps.getByText('hostpath_mapping')).toBeInTheDocument();
    expect(steps.getByText('120')).toBeInTheDocument();
  });

  it('renders an HTML string from a header as literal text, never as markup', () => {
    const { container } = render(<TracePanel {...buildPanelProps({ uuid: '' }, [transactionsFrame()])} />);

    expect(screen.getByText(XSS_HEADER)).toBeInTheDocument();
    expect(container.querySelector('img')).toBeNull();
  });

  it('keeps only the rows of the chosen transaction, resolving dashboard variables', () => {
    const props = buildPanelProps({ uuid: '$txn' }, [transactionsFrame(), stepsFrame()]);
    props.replaceVariables = (value: string) => value.replace('$txn', '9f8e-allowed');
    render(<TracePanel {...props} />);

    const transactions = within(screen.getByRole('region', { name: 'Transactions' }));
    expect(transactions.getAllByRole('listitem')).toHaveLength(1);
    expect(transactions.getByText('9f8e-allowed')).toBeInTheDocument();
    expect(transactions.queryByText('0a1b-blocked')).not.toBeInTheDocument();
    // Frames without a uuid column belong to the trace as a whole and stay.
    expect(screen.getByRole('region', { name: 'Steps' })).toBeInTheDocument();
  });

  it('says so when the chosen transaction is not in the data', () => {
    render(<TracePanel {...buildPanelProps({ uuid: 'missing-uuid' }, [transactionsFrame()])} />);

    expect(screen.queryByTestId('apifw-frame-list')).not.toBeInTheDocument();
    expect(screen.getByText(/No data for transaction missing-uuid/)).toBeInTheDocument();
  });
});
