import { expect, expectText, test, THEMES } from './fixtures';

const DATASOURCE = { plugin: 'apifw-monitor-datasource', ds: 'apifw-monitor' };

test.describe('apifw-monitor-datasource editors (built module, real data source instance)', () => {
  for (const theme of THEMES) {
    test(`query editor starts from the default stats query (${theme})`, async ({ host, timeRange }) => {
      // No ?query=: the host starts from the data source's getDefaultQuery(), as Grafana does.
      await host.open({ ...DATASOURCE, view: 'query-editor', theme, ...timeRange });
      await expect(host.page.getByRole('combobox', { name: 'Query type' })).toHaveValue('Stats');
      // The help for the stats columns.
      await expect(host.page.getByText('all transactions in the time range')).toBeVisible();
      await host.screenshot(`query-editor-${theme}`);
    });

    test(`config editor shows the provisioned settings and validates edits (${theme})`, async ({ host, harness }) => {
      await host.open({ ...DATASOURCE, view: 'config-editor', theme });
      await expect(host.page.getByRole('textbox', { name: 'Log directories 1' })).toHaveValue(harness.logsDir);
      await host.screenshot(`config-editor-${theme}`);

      await host.page.getByRole('button', { name: 'Add log directories' }).click();
      await expect(host.page.getByRole('textbox', { name: 'Log directories 2' })).toHaveValue('');
      await expect(host.page.getByRole('alert', { name: 'Log directories problems' })).toContainText('Root 2 is empty');
      await expectText(host.page.getByTestId('host-options-json'), /"logRoots":\[".*",""\]/);
      await host.screenshot(`config-editor-${theme}-invalid`);
    });
  }

  test('choosing a query type runs the query through the real backend', async ({ host, timeRange }) => {
    await host.open({ ...DATASOURCE, view: 'query-editor', theme: 'dark', query: {}, ...timeRange });
    const queryType = host.page.getByRole('combobox', { name: 'Query type' });
    await expect(queryType).toHaveValue('');

    // The editor calls onChange and onRunQuery; the host runs the query with the real DataSource.
    await queryType.click();
    await host.page.getByRole('option', { name: /^Stats/ }).click();
    await expect(queryType).toHaveValue('Stats');
    await expectText(host.page.getByTestId('host-query-json'), /"queryType":"stats"/);
    await expect(host.page.getByTestId('host-query-result')).toHaveText('1 frame(s) returned');
  });
});
