import { expect, expectText, labelled, SIZES, test, THEMES } from './fixtures';
import type { Truth } from './harness';

/** The stats columns with the values apifw-gen's truth file says the demo logs hold. */
function expectedStats(truth: Truth): Array<[string, string]> {
  return [
    ['total', String(truth.total)],
    ['allowed', String(truth.byOutcome.allowed)],
    ['blocked', String(truth.byOutcome.blocked)],
    ['wouldBlock', String(truth.byOutcome.wouldBlock)],
    ['unmatched', String(truth.byOutcome.unmatched)],
    // Grafana's percentunit display of blocked / total.
    ['blockedRatio', `${((truth.byOutcome.blocked / truth.total) * 100).toFixed(1)}%`],
    ['distinctClients', String(truth.distinctClients)],
    ['instances', String(Object.keys(truth.byInstance).length)],
  ];
}

const PANELS = [
  { id: 'apifw-topn-panel', name: 'topn' },
  { id: 'apifw-trace-panel', name: 'trace' },
];

for (const panel of PANELS) {
  test.describe(`${panel.id} (built module, stats from the real backend)`, () => {
    for (const theme of THEMES) {
      test(`shows the demo logs' stats in the ${theme} theme`, async ({ host, truth, timeRange }) => {
        for (const size of SIZES) {
          await host.open(
            { plugin: panel.id, view: 'panel', theme, query: { queryType: 'stats' }, ...timeRange },
            size
          );
          const content = host.page.getByTestId('host-panel');
          await expect(content.getByRole('heading', { name: 'stats' })).toBeVisible();
          for (const [name, value] of expectedStats(truth)) {
            await expectText(content, labelled(name, value));
          }
          await host.screenshot(`${panel.name}-${theme}-${size.width}x${size.height}`);
        }
      });
    }

    test('shows zero counts for a time range before the first record', async ({ host, timeRange }) => {
      const to = timeRange.from - 24 * 60 * 60 * 1000;
      await host.open({
        plugin: panel.id,
        view: 'panel',
        theme: 'dark',
        query: { queryType: 'stats' },
        from: to - 3_600_000,
        to,
      });
      const content = host.page.getByTestId('host-panel');
      await expectText(content, labelled('total', '0'));
      await expectText(content, labelled('blocked', '0'));
    });
  });
}
