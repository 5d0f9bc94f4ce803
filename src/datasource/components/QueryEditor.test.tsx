import React from 'react';
import { fireEvent, render, screen, waitFor } from '@testing-library/react';

import { type ApifwQuery, IMPLEMENTED_QUERY_TYPES, QUERY_TYPE_LABELS } from 'shared/query';
import { setupComboboxEnvironment } from '../testing/environment';
import { fakeDataSource } from '../testing/fakeDataSource';
import { QueryEditor } from './QueryEditor';

function renderEditor(query: ApifwQuery) {
  const onChange = jest.fn();
  const onRunQuery = jest.fn();
  const { datasource } = fakeDataSource();
  const view = render(
    <QueryEditor datasource={datasource} query={query} onChange={onChange} onRunQuery={onRunQuery} />
  );
  return { onChange, onRunQuery, view };
}

describe('QueryEditor', () => {
  setupComboboxEnvironment();

  it('offers every query type, transactions and reports', async () => {
    renderEditor({ refId: 'A', queryType: 'stats' });

    fireEvent.click(screen.getByRole('combobox', { name: 'Query type' }));
    const options = await screen.findAllByRole('option');
    const labels = options.map((option) => option.textContent ?? '');
    for (const type of IMPLEMENTED_QUERY_TYPES) {
      expect(labels.some((label) => label.startsWith(QUERY_TYPE_LABELS[type]))).toBe(true);
    }
    expect(options).toHaveLength(12);
  });

  it('switches type with the new type defaults, keeps the filters and runs the query', async () => {
    const { onChange, onRunQuery } = renderEditor({
      refId: 'A',
      queryType: 'stats',
      columns: ['blocked'],
      filters: { api: ['a1b2'] },
    });

    fireEvent.click(screen.getByRole('combobox', { name: 'Query type' }));
    fireEvent.click(await screen.findByRole('option', { name: /^Top N/ }));

    expect(onChange).toHaveBeenCalledWith({
      refId: 'A',
      queryType: 'topN',
      dimension: 'clientIp',
      limit: 10,
      filters: { api: ['a1b2'] },
    });
    expect(onRunQuery).toHaveBeenCalledTimes(1);
  });

  it.each([
    ['traffic', 'Split by'],
    ['topN', 'Dimension'],
    ['stats', 'Columns'],
    ['transactions', 'Limit'],
    ['trace', 'UUID'],
    ['instances', 'Silent after'],
    ['auditIssues', 'Team'],
    ['auditTrend', 'Interval'],
    ['scan', 'Collection'],
    ['inventory', 'Tag'],
  ] as const)('shows the %s editor', (queryType, field) => {
    renderEditor({ refId: 'A', queryType });
    expect(screen.getAllByLabelText(field).length).toBeGreaterThan(0);
  });

  it('flags a saved query type this version does not answer', () => {
    renderEditor({ refId: 'A', queryType: 'liveTail' as ApifwQuery['queryType'] });
    expect(screen.getByText('Query type "liveTail" is not available in this version')).toBeInTheDocument();
    expect(screen.getByRole('combobox', { name: 'Query type' })).toHaveValue('');
  });

  it('keeps typing local until the field is left, then runs once', async () => {
    const { onChange, onRunQuery } = renderEditor({ refId: 'A', queryType: 'trace', uuid: '' });

    const uuid = screen.getByRole('textbox', { name: 'UUID' });
    expect(screen.getByText(/Enter the UUID of a transaction/)).toBeInTheDocument();
    fireEvent.change(uuid, { target: { value: ' 6f1e2a3b ' } });
    expect(onChange).not.toHaveBeenCalled();
    fireEvent.blur(uuid);

    await waitFor(() => expect(onChange).toHaveBeenCalledWith({ refId: 'A', queryType: 'trace', uuid: '6f1e2a3b' }));
    expect(onRunQuery).toHaveBeenCalledTimes(1);
  });
});
