import React from 'react';
import { fireEvent, render, screen } from '@testing-library/react';

import { setupComboboxEnvironment } from '../testing/environment';
import { fakeDataSource } from '../testing/fakeDataSource';
import type { ApifwVariableQuery } from '../variables';
import { VariableQueryEditor } from './VariableQueryEditor';

function renderEditor(query: Partial<ApifwVariableQuery>) {
  const onChange = jest.fn();
  render(
    <VariableQueryEditor
      datasource={fakeDataSource().datasource}
      query={{ refId: 'V', ...query } as ApifwVariableQuery}
      onChange={onChange}
      onRunQuery={jest.fn()}
    />
  );
  return onChange;
}

describe('VariableQueryEditor', () => {
  setupComboboxEnvironment();

  it('starts from API values and lists dimensions, collections, tags and teams', async () => {
    const onChange = renderEditor({});
    const field = screen.getByRole('combobox', { name: 'Values of' });
    expect(field).toHaveValue('API');

    fireEvent.click(field);
    fireEvent.click(await screen.findByRole('option', { name: /^Collection/ }));
    expect(onChange).toHaveBeenCalledWith({ refId: 'V', field: 'collection', limit: 1000 });
  });

  it('sets the text filter and the limit', () => {
    const onChange = renderEditor({ field: 'instance' });
    const containing = screen.getByRole('textbox', { name: 'Containing' });
    fireEvent.change(containing, { target: { value: 'fw-' } });
    fireEvent.blur(containing);
    expect(onChange).toHaveBeenLastCalledWith({ refId: 'V', field: 'instance', prefix: 'fw-', limit: 1000 });

    const limit = screen.getByRole('spinbutton', { name: 'Limit' });
    fireEvent.change(limit, { target: { value: '20' } });
    fireEvent.blur(limit);
    expect(onChange).toHaveBeenLastCalledWith({ refId: 'V', field: 'instance', limit: 20 });
  });
});
