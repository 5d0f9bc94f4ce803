import React from 'react';
import { render, screen, within } from '@testing-library/react';
import { FieldType, toDataFrame } from '@grafana/data';

import { rowEntries } from 'shared/testing/frameListRows';
import { buildPanelProps } from 'shared/testing/panelProps';
import { TopNPanel } from './TopNPanel';

const XSS_PATH = '<img src=x onerror=alert(1)>';

function topClientsFrame() {
  return toDataFrame({
    name: 'Top client IPs',
    refId: 'A',
    fields: [
      { name: 'clientIp', type: FieldType.string, values: ['203.0.113.9', '198.51.100.4', '192.0.2.77'] },
      { name: 'count', type: FieldType.number, values: [1520, 310, 12] },
      { name: 'blocked', type: FieldType.number, values: [1400, 5, 0] },
      { name: 'path', type: FieldType.string, values: [XSS_PATH, '/pets', '/users/login'] },
    ],
  });
}

describe('TopNPanel', () => {
  it('lists each row with field names and display values as text', () => {
    render(<TopNPanel {...buildPanelProps({ limit: 10 }, [topClientsFrame()])} />);

    const frame = screen.getByRole('region', { name: 'Top client IPs' });
    const rows = within(frame).getAllByRole('listitem');
    expect(rows).toHaveLength(3);
    expect(rowEntries(rows[0])).toEqual({
      clientIp: '203.0.113.9',
      count: '1520',
      blocked: '1400',
      path: XSS_PATH,
    });
    expect(rowEntries(rows[2])).toEqual({ clientIp: '192.0.2.77', count: '12', blocked: '0', path: '/users/login' });
  });

  it('renders an HTML string from the logs as literal text, never as markup', () => {
    const { container } = render(<TopNPanel {...buildPanelProps({ limit: 10 }, [topClientsFrame()])} />);

    expect(screen.getByText(XSS_PATH)).toBeInTheDocument();
    expect(container.querySelector('img')).toBeNull();
  });

  it('shows only the configured number of rows and says how many are left out', () => {
    render(<TopNPanel {...buildPanelProps({ limit: 2 }, [topClientsFrame()])} />);

    expect(screen.getAllByRole('listitem')).toHaveLength(2);
    expect(screen.queryByText('192.0.2.77')).not.toBeInTheDocument();
    expect(screen.getByText('… 1 more row')).toBeInTheDocument();
  });

  it('falls back to the default limit for a nonsense saved value', () => {
    const manyRows = toDataFrame({
      fields: [{ name: 'path', type: FieldType.string, values: Array.from({ length: 15 }, (_, i) => `/p${i}`) }],
    });
    render(<TopNPanel {...buildPanelProps({ limit: -3 }, [manyRows])} />);

    expect(screen.getAllByRole('listitem')).toHaveLength(10);
    expect(screen.getByText('… 5 more rows')).toBeInTheDocument();
  });

  it("shows Grafana's empty-data view when the query returned nothing", () => {
    const emptyFrame = toDataFrame({ fields: [{ name: 'clientIp', type: FieldType.string, values: [] }] });
    render(<TopNPanel {...buildPanelProps({ limit: 10 }, [emptyFrame])} />);

    expect(screen.queryByTestId('apifw-frame-list')).not.toBeInTheDocument();
    expect(screen.getByText(/Unable to render data/)).toBeInTheDocument();
  });
});
