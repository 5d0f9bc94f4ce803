import { expect, expectText, test, THEMES } from './fixtures';

const DATASOURCE = { plugin: 'apifw-monitor-datasource', ds: 'apifw-monitor' };

test.describe('apifw-monitor-datasource editors (built module, real data source instance)', () => {
  for (const theme of THEMES) {
    test(`a new query is traffic split by outcome and runs through the backend (${theme})`, async ({
      host,
      timeRange,
    }) => {
      // No ?query=: the host starts from the data source's getDefaultQuery(), as Grafana does.
      await host.open({ ...DATASOURCE, view: 'query-editor', theme, ...timeRange });
      const page = host.page;
      await expect(page.getByRole('combobox', { name: 'Query type' })).toHaveValue('Traffic');
      await expect(page.getByRole('combobox', { name: 'Split by' })).toHaveValue('Outcome');
      await expect(page.getByRole('radio', { name: 'Count' })).toBeChecked();
      await host.screenshot(`query-editor-traffic-${theme}`);

      // A change runs the query with the real DataSource: one series per outcome.
      await page.getByRole('radio', { name: 'Rate /s' }).click();
      await expectText(page.getByTestId('host-query-json'), /"metric":"rate"/);
      await expect(page.getByTestId('host-query-result')).toHaveText('4 frame(s) returned');
    });

    test(`top N editor: dimension, limit and filters with suggestions from the backend (${theme})`, async ({
      host,
      timeRange,
      truth,
    }) => {
      await host.open({
        ...DATASOURCE,
        view: 'query-editor',
        theme,
        query: { queryType: 'topN', dimension: 'clientIp', limit: 10 },
        ...timeRange,
      });
      const page = host.page;
      await expect(page.getByRole('combobox', { name: 'Dimension' })).toHaveValue('Client IP');
      await expect(page.getByRole('spinbutton', { name: 'Limit' })).toHaveValue('10');

      // Instance values come from the suggestions resource over the demo data.
      await page.getByRole('combobox', { name: 'Instance' }).click();
      const instance = Object.keys(truth.byInstance).sort()[0];
      await expect(page.getByRole('option', { name: new RegExp(`^${instance}`) })).toBeVisible();
      await host.screenshot(`query-editor-topn-suggestions-${theme}`);
      await page.getByRole('option', { name: new RegExp(`^${instance}`) }).click();
      await page.keyboard.press('Escape');
      await expectText(page.getByTestId('host-query-json'), new RegExp(`"instance":\\["${instance}"\\]`));
      await expect(page.getByTestId('host-query-result')).toHaveText('1 frame(s) returned');

      // Keyboard only: choose another dimension.
      await page.getByRole('combobox', { name: 'Dimension' }).focus();
      await page.keyboard.press('ControlOrMeta+a');
      await page.keyboard.type('status cl');
      await expect(page.getByRole('option', { name: /^Status class/ })).toBeVisible();
      await page.keyboard.press('Enter');
      await expectText(page.getByTestId('host-query-json'), /"dimension":"statusClass"/);
      await host.screenshot(`query-editor-topn-${theme}`);
    });
  }

  test('stats editor: columns for an alert condition', async ({ host, timeRange }) => {
    await host.open({
      ...DATASOURCE,
      view: 'query-editor',
      theme: 'dark',
      query: { queryType: 'stats', columns: ['blocked'] },
      ...timeRange,
    });
    const page = host.page;
    await expect(page.getByRole('combobox', { name: 'Columns' })).toBeVisible();
    await expect(page.getByText('blocked', { exact: true }).first()).toBeVisible();
    await page.getByRole('combobox', { name: 'Columns' }).click();
    await page.getByRole('option', { name: /^blockedRatio/ }).click();
    await page.keyboard.press('Escape');
    await expectText(page.getByTestId('host-query-json'), /"columns":\["blocked","blockedRatio"\]/);
    await expect(page.getByTestId('host-query-result')).toHaveText('1 frame(s) returned');
    await host.screenshot('query-editor-stats-dark');
  });

  for (const theme of THEMES) {
    test(`transactions, trace and instances editors (${theme})`, async ({ host, timeRange }) => {
      const page = host.page;
      await host.open({
        ...DATASOURCE,
        view: 'query-editor',
        theme,
        query: { queryType: 'transactions', limit: 100, filters: { outcome: ['blocked'], path: '/api/*' } },
        ...timeRange,
      });
      await expect(page.getByRole('textbox', { name: 'Path' })).toHaveValue('/api/*');
      await host.screenshot(`query-editor-transactions-${theme}`);

      await host.open({ ...DATASOURCE, view: 'query-editor', theme, query: { queryType: 'trace', uuid: '' } });
      await expect(page.getByText(/Enter the UUID of a transaction/)).toBeVisible();
      await host.screenshot(`query-editor-trace-${theme}`);

      await host.open({
        ...DATASOURCE,
        view: 'query-editor',
        theme,
        query: { queryType: 'instances', silentAfter: '15m' },
        ...timeRange,
      });
      const silentAfter = page.getByRole('textbox', { name: 'Silent after' });
      await silentAfter.fill('1h');
      await silentAfter.press('Enter');
      await expectText(page.getByTestId('host-query-json'), /"silentAfter":"1h"/);
      await expect(page.getByTestId('host-query-result')).toHaveText('1 frame(s) returned');
      await host.screenshot(`query-editor-instances-${theme}`);
    });

    test(`report editors (${theme})`, async ({ host, timeRange }) => {
      const page = host.page;
      await host.open({
        ...DATASOURCE,
        view: 'query-editor',
        theme,
        query: { queryType: 'auditIssues', groupBy: 'severity' },
        ...timeRange,
      });
      await page.getByRole('radio', { name: 'Category', exact: true }).click();
      await expectText(page.getByTestId('host-query-json'), /"groupBy":"category"/);
      await expect(page.getByRole('spinbutton', { name: 'Limit' })).toBeVisible();
      await host.screenshot(`query-editor-audit-issues-${theme}`);

      await host.open({
        ...DATASOURCE,
        view: 'query-editor',
        theme,
        query: { queryType: 'auditTrend', interval: '1d' },
        ...timeRange,
      });
      await expect(page.getByRole('textbox', { name: 'Interval' })).toHaveValue('1d');
      await expect(page.getByRole('spinbutton', { name: 'Good score' })).toBeVisible();
      await host.screenshot(`query-editor-audit-trend-${theme}`);

      await host.open({ ...DATASOURCE, view: 'query-editor', theme, query: { queryType: 'inventory' }, ...timeRange });
      await page.getByRole('radio', { name: 'Collection', exact: true }).click();
      await expectText(page.getByTestId('host-query-json'), /"groupBy":"collection"/);
      await host.screenshot(`query-editor-inventory-${theme}`);
    });

    test(`config editor shows the provisioned settings and validates edits (${theme})`, async ({ host, harness }) => {
      await host.open({ ...DATASOURCE, view: 'config-editor', theme });
      const page = host.page;
      await expect(page.getByRole('textbox', { name: 'Log directories 1' })).toHaveValue(harness.logsDir);
      await expect(page.getByRole('region', { name: 'Rule 1' })).toBeVisible();
      await host.screenshot(`config-editor-${theme}`);

      await page.getByRole('button', { name: 'Add log directories' }).click();
      await expect(page.getByRole('textbox', { name: 'Log directories 2' })).toHaveValue('');
      await expect(page.getByRole('alert', { name: 'Log directories problems' })).toContainText('Root 2 is empty');
      await expectText(page.getByTestId('host-options-json'), /"logRoots":\[".*",""\]/);

      await page.getByRole('radio', { name: 'Microseconds' }).click();
      await expectText(page.getByTestId('host-options-json'), /"dateEpochUnit":"us"/);

      await page.getByRole('button', { name: 'Add masked headers' }).click();
      await page.getByRole('textbox', { name: 'Masked headers 1' }).fill('x customer');
      await expect(page.getByRole('alert', { name: 'Masked headers problems' })).toContainText('is not a header name');

      await page.getByRole('spinbutton', { name: /Max rows per query/ }).fill('0');
      await expect(page.getByText('Max rows per query must be between 1 and 1,000,000.')).toBeVisible();
      await host.screenshot(`config-editor-${theme}-invalid`);

      // Outcome rules: edit one, then reset to the built-in rules.
      await page.getByRole('button', { name: 'Remove rule 4' }).click();
      await expectText(page.getByTestId('host-options-json'), /"outcomeRules":\{"rules":\[/);
      await page.getByRole('button', { name: /Reset to defaults/ }).click();
      await expect.poll(() => page.getByTestId('host-options-json').innerText()).not.toMatch(/outcomeRules/);
    });

    test(`variable editor lists values from the backend (${theme})`, async ({ host, timeRange, truth }) => {
      await host.open({
        ...DATASOURCE,
        view: 'variable-editor',
        theme,
        query: { field: 'api', limit: 1000 },
        ...timeRange,
      });
      const page = host.page;
      await expect(page.getByRole('combobox', { name: 'Values of' })).toHaveValue('API');

      // The combobox's option list renders asynchronously (virtualised): under load a click can land
      // while it is still opening, so the pick is retried until the query shows it.
      await expect(async () => {
        await page.getByRole('combobox', { name: 'Values of' }).click();
        await page.getByRole('combobox', { name: 'Values of' }).fill('Instance');
        await page.getByRole('option', { name: /^Instance/ }).click({ timeout: 5_000 });
        await expect(page.getByTestId('host-query-json')).toContainText('"field":"instance"', { timeout: 3_000 });
      }).toPass({ timeout: 45_000 });
      const values = page.getByTestId('host-variable-values');
      for (const instance of Object.keys(truth.byInstance)) {
        await expectText(values, new RegExp(`^${instance} = ${instance}$`, 'm'));
      }
      await host.screenshot(`variable-editor-${theme}`);
    });
  }
});
