import React from 'react';
import { fireEvent, render, screen } from '@testing-library/react';

import type { ApifwQuery } from 'shared/query';
import type { DataSource } from '../datasource';
import { QueryEditor } from './QueryEditor';

function renderEditor(query: ApifwQuery) {
  const onChange = jest.fn();
  const onRunQuery = jest.fn();
  render(<QueryEditor datasource={{} as DataSource} query={query} onChange={onChange} onRunQuery={onRunQuery} />);
  return { onChange, onRunQuery };
}

describe('QueryEditor', () => {
  // jsdom has no layout or canvas: Combobox measures its text and virtualises its option list,
  // so give it a text width and element sizes, as Grafana's own Combobox tests do.
  beforeAll(() => {
    jest
      .spyOn(HTMLCanvasElement.prototype, 'getContext')
      .mockReturnValue({ measureText: () => ({ width: 40 }) } as unknown as CanvasRenderingContext2D);
    jest.spyOn(Element.prototype, 'getBoundingClientRect').mockReturnValue({
      width: 240,
      height: 240,
      top: 0,
      left: 0,
      bottom: 240,
      right: 240,
      x: 0,
      y: 0,
      toJSON: () => ({}),
    });
    // The option list's virtualiser reads the scroll container's client size.
    jest.spyOn(Element.prototype, 'clientHeight', 'get').mockReturnValue(240);
    jest.spyOn(Element.prototype, 'clientWidth', 'get').mockReturnValue(240);
  });

  // The option list's scroll indicators observe visibility; jsdom has no IntersectionObserver.
  const originalIntersectionObserver = window.IntersectionObserver;
  beforeAll(() => {
    window.IntersectionObserver = class {
      readonly root = null;
      readonly rootMargin = '0px';
      readonly thresholds = [];
      observe() {}
      unobserve() {}
      disconnect() {}
      takeRecords() {
        return [];
      }
    } as unknown as typeof IntersectionObserver;
  });

  afterAll(() => {
    window.IntersectionObserver = originalIntersectionObserver;
    jest.restoreAllMocks();
  });

  it('explains the columns of a stats query', () => {
    renderEditor({ refId: 'A', queryType: 'stats' });

    expect(screen.getByRole('combobox', { name: 'Query type' })).toHaveValue('Stats');
    for (const column of [
      'total',
      'allowed',
      'blocked',
      'wouldBlock',
      'unmatched',
      'blockedRatio',
      'distinctClients',
      'instances',
    ]) {
      expect(screen.getByText(column)).toBeInTheDocument();
    }
  });

  it('offers only implemented query types and runs the query once one is chosen', async () => {
    const { onChange, onRunQuery } = renderEditor({ refId: 'A', queryType: 'topN' });

    // A saved query for a type this version does not answer is flagged, not silently changed.
    expect(screen.getByText('Query type "topN" is not available in this version')).toBeInTheDocument();

    const input = screen.getByRole('combobox', { name: 'Query type' });
    fireEvent.click(input);
    const options = await screen.findAllByRole('option');
    expect(options.map((option) => option.textContent)).toEqual([expect.stringContaining('Stats')]);

    fireEvent.click(options[0]);

    expect(onChange).toHaveBeenCalledWith({ refId: 'A', queryType: 'stats' });
    expect(onRunQuery).toHaveBeenCalledTimes(1);
  });
});
