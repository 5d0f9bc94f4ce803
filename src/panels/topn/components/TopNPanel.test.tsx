import React from 'react';
import { fireEvent, render, screen, within } from '@testing-library/react';
import { FieldType, LoadingState, toDataFrame } from '@grafana/data';
import { locationService } from '@grafana/runtime';

import { buildPanelProps } from 'shared/testing/panelProps';
import { DEFAULT_TOPN_OPTIONS, type TopNPanelOptions } from '../types';
import { topNFrame } from '../viewModel.test';
import { TopNPanel } from './TopNPanel';

function props(
  options: Partial<TopNPanelOptions>,
  frames = [
    topNFrame(
      [
        ['10.0.0.1', 5, 3, 1, 1],
        ['<img src=x onerror=alert(1)>', 2, 0, 0, 0],
      ],
      [1, 0, 0, 0]
    ),
  ]
) {
  return buildPanelProps<TopNPanelOptions>({ ...DEFAULT_TOPN_OPTIONS, ...options }, frames);
}

// jsdom lays nothing out: give elements the size their inline style asks for, so the virtualised
// list sees its viewport as a browser would.
beforeAll(() => {
  jest.spyOn(HTMLElement.prototype, 'clientHeight', 'get').mockImplementation(function (this: HTMLElement) {
    return parseFloat(this.style.height) || 0;
  });
  jest.spyOn(HTMLElement.prototype, 'clientWidth', 'get').mockImplementation(function (this: HTMLElement) {
    return parseFloat(this.style.width) || 600;
  });
});
afterAll(() => jest.restoreAllMocks());

function rows() {
  return within(screen.getByRole('list', { name: 'Top clientIp values' })).getAllByRole('listitem');
}

describe('TopNPanel', () => {
  it('draws one bar per value, split by outcome, with counts and share', () => {
    render(<TopNPanel {...props({})} />);
    const items = rows();
    expect(items).toHaveLength(3);
    expect(items[0]).toHaveTextContent('10.0.0.1');
    expect(items[0]).toHaveTextContent('10 · 77%');
    expect(items[0].querySelectorAll('[data-outcome]')).toHaveLength(4);
    expect(items[2]).toHaveTextContent('Other');
    // Log-derived values are text, not markup.
    expect(within(items[1]).getByText('<img src=x onerror=alert(1)>')).toBeInTheDocument();
    expect(document.querySelector('img')).toBeNull();
  });

  it('opens the trace explorer filtered on the clicked value', () => {
    const push = jest.spyOn(locationService, 'push').mockImplementation(() => {});
    render(<TopNPanel {...props({})} />);
    fireEvent.click(screen.getByRole('button', { name: /^10\.0\.0\.1:/ }));
    expect(push).toHaveBeenCalledWith(
      expect.stringMatching(/^\/a\/apifw-monitor-app\/trace-explorer\?clientIp=10\.0\.0\.1&from=\d+&to=\d+$/)
    );
    // The remainder row is not a filter.
    expect(screen.queryByRole('button', { name: /^Other:/ })).not.toBeInTheDocument();
    push.mockRestore();
  });

  it("keeps the filters of the dimension field's data link, interpolated with the dashboard's variables", () => {
    const push = jest.spyOn(locationService, 'push').mockImplementation(() => {});
    const base = props({});
    const frame = base.data.series[0];
    frame.fields[0].config.links = [
      { title: 'Transactions of this client', url: '/x?${api:queryparam}&outcome=blocked&clientIp=${__value.raw}' },
    ];
    // What the dashboard's TemplateSrv gives for ${api:queryparam}; ${__value.raw} needs a clicked value.
    const replaceVariables = (text: string) => text.replace('${api:queryparam}', 'var-api=a1&var-api=a2');
    render(<TopNPanel {...base} replaceVariables={replaceVariables} />);
    fireEvent.click(screen.getByRole('button', { name: /^10\.0\.0\.1:/ }));
    expect(push).toHaveBeenCalledWith(
      expect.stringMatching(
        /^\/a\/apifw-monitor-app\/trace-explorer\?api=a1&api=a2&outcome=blocked&clientIp=10\.0\.0\.1&from=\d+&to=\d+$/
      )
    );
    push.mockRestore();
  });

  it('renders only the rows in view for thousands of values', () => {
    const values = Array.from({ length: 5000 }, (_, index): [string, number, number, number, number] => [
      `10.0.${Math.floor(index / 256)}.${index % 256}`,
      5000 - index,
      0,
      0,
      0,
    ]);
    render(<TopNPanel {...props({ limit: 5000 }, [topNFrame(values)])} />);
    const shown = rows().length;
    expect(shown).toBeGreaterThan(5);
    expect(shown).toBeLessThan(60);
  });

  it('shows the empty state for no rows and an alert for a failed query', () => {
    const { unmount } = render(<TopNPanel {...props({}, [topNFrame([])])} />);
    expect(screen.getByText(/No transactions match in this time range/)).toBeInTheDocument();
    unmount();

    const failed = props({}, []);
    failed.data = { ...failed.data, state: LoadingState.Error, errors: [{ message: 'bad filter clientIp' }] };
    render(<TopNPanel {...failed} />);
    expect(screen.getByRole('alert')).toHaveTextContent('bad filter clientIp');
  });

  it('asks for a Top N query when given other frames', () => {
    render(
      <TopNPanel
        {...props({}, [
          toDataFrame({ name: 'stats', fields: [{ name: 'total', type: FieldType.number, values: [3] }] }),
        ])}
      />
    );
    expect(screen.getByText(/choose the "Top N" query type/)).toBeInTheDocument();
  });
});
