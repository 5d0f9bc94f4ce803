import React from 'react';
import { fireEvent, render, screen, waitFor } from '@testing-library/react';

import type { ApifwQuery } from 'shared/query';
import { setupComboboxEnvironment } from '../../testing/environment';
import { fakeDataSource } from '../../testing/fakeDataSource';
import { TransactionFilters } from './TransactionFilters';

jest.mock('@grafana/runtime', () => ({
  ...jest.requireActual('@grafana/runtime'),
  getTemplateSrv: () => ({
    getVariables: () => [{ name: 'api', label: 'API' }],
    replace: (text: string) => text,
  }),
}));

function renderFilters(query: ApifwQuery, failing = false) {
  const onChange = jest.fn();
  const { datasource, suggestions } = fakeDataSource(failing);
  render(<TransactionFilters query={query} datasource={datasource} onChange={onChange} />);
  return { onChange, suggestions };
}

describe('TransactionFilters', () => {
  setupComboboxEnvironment();

  it('suggests API names from the backend and stores the API id', async () => {
    const { onChange, suggestions } = renderFilters({ refId: 'A', queryType: 'stats' });

    fireEvent.click(screen.getByRole('combobox', { name: 'API' }));
    const petstore = await screen.findByRole('option', { name: /Petstore/ }, { timeout: 10_000 });
    expect(screen.getByRole('option', { name: /Billing/ })).toBeInTheDocument();
    // Dashboard variables are offered too.
    expect(screen.getByRole('option', { name: /\$api/ })).toBeInTheDocument();
    expect(suggestions).toHaveBeenCalledWith(expect.objectContaining({ field: 'api', prefix: '' }));

    fireEvent.click(petstore);
    expect(onChange).toHaveBeenCalledWith({ refId: 'A', queryType: 'stats', filters: { api: ['a1b2'] } });
  });

  it('accepts a typed value that is not suggested, such as a status class', async () => {
    const { onChange } = renderFilters({ refId: 'A', queryType: 'stats', filters: { outcome: ['blocked'] } });

    const status = screen.getByRole('combobox', { name: 'Status' });
    fireEvent.change(status, { target: { value: '4xx' } });
    const custom = await screen.findByRole('option', { name: /4xx/ });
    fireEvent.click(custom);

    expect(onChange).toHaveBeenCalledWith({
      refId: 'A',
      queryType: 'stats',
      filters: { outcome: ['blocked'], status: ['4xx'] },
    });
  });

  it('offers the four outcomes without asking the backend', async () => {
    const { suggestions } = renderFilters({ refId: 'A', queryType: 'stats' });

    fireEvent.click(screen.getByRole('combobox', { name: 'Outcome' }));
    const options = await screen.findAllByRole('option');
    expect(options.map((option) => option.textContent)).toEqual(
      expect.arrayContaining(['Allowed', 'Blocked', 'Would block', 'Unmatched'])
    );
    expect(suggestions).not.toHaveBeenCalled();
  });

  it('says why nothing is listed when the suggestions resource fails, and no error is logged', async () => {
    const consoleError = jest.spyOn(console, 'error');
    renderFilters({ refId: 'A', queryType: 'stats' }, true);

    fireEvent.click(screen.getByRole('combobox', { name: 'Instance' }));
    // Only the dashboard variable is left.
    await screen.findByRole('option', { name: /\$api/ }, { timeout: 10_000 });
    expect(consoleError).not.toHaveBeenCalled();
  });

  it('commits text filters and removes an emptied one', async () => {
    const { onChange } = renderFilters({ refId: 'A', queryType: 'stats', filters: { clientIp: '10.0.0.1' } });

    const path = screen.getByRole('textbox', { name: 'Path' });
    fireEvent.change(path, { target: { value: '/api/*' } });
    fireEvent.keyDown(path, { key: 'Enter' });
    expect(onChange).toHaveBeenLastCalledWith({
      refId: 'A',
      queryType: 'stats',
      filters: { clientIp: '10.0.0.1', path: '/api/*' },
    });

    const clientIp = screen.getByRole('textbox', { name: 'Client IP' });
    fireEvent.change(clientIp, { target: { value: '' } });
    fireEvent.blur(clientIp);
    await waitFor(() => expect(onChange).toHaveBeenLastCalledWith({ refId: 'A', queryType: 'stats', filters: {} }));
  });

  it('adds, edits and removes conditions on any dimension', () => {
    const { onChange } = renderFilters({
      refId: 'A',
      queryType: 'stats',
      filters: { adhoc: [{ key: 'path', operator: '=~', value: '^/api' }] },
    });

    expect(screen.getByRole('textbox', { name: 'Condition 1 value' })).toHaveValue('^/api');
    fireEvent.click(screen.getByRole('button', { name: 'Add condition' }));
    expect(onChange).toHaveBeenLastCalledWith({
      refId: 'A',
      queryType: 'stats',
      filters: {
        adhoc: [
          { key: 'path', operator: '=~', value: '^/api' },
          { key: 'statusClass', operator: '!=', value: '2xx' },
        ],
      },
    });

    fireEvent.click(screen.getByRole('button', { name: 'Remove condition 1' }));
    expect(onChange).toHaveBeenLastCalledWith({ refId: 'A', queryType: 'stats', filters: {} });
  });
});
