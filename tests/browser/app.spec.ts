import { expect, GRAFANA_AUTH, test, THEMES } from './fixtures';
import { queryRows } from './grafanaApi';

/** Page sizes: a desktop window and a narrow one. */
const PAGE_SIZES = [
  { width: 1280, height: 800 },
  { width: 400, height: 800 },
];

const APP = { plugin: 'apifw-monitor-app' };

test.describe('apifw-monitor-app pages (built module, real backend)', () => {
  for (const theme of THEMES) {
    test(`home page shows the data source health from the backend (${theme})`, async ({ host, harness, request }) => {
      const response = await request.get(`${harness.grafanaUrl}/api/datasources/uid/apifw-monitor/health`, {
        headers: GRAFANA_AUTH,
      });
      expect(response.ok()).toBe(true);
      const health = (await response.json()) as { status: string; message: string; details: { records: number } };
      expect(health.status).toBe('OK');

      await host.open({ ...APP, view: 'app', path: 'home', theme });
      await expect(host.page.getByText(health.message)).toBeVisible();
      await expect(host.page.getByText('Healthy', { exact: true })).toBeVisible();
      await expect(host.page.getByText(harness.logsDir, { exact: true })).toBeVisible();
      await expect(host.page.getByLabel('Totals')).toContainText(health.details.records.toLocaleString('en-US'));
      await host.screenshot(`app-home-${theme}`);
    });
  }

  test('an unknown app path lands on the home page', async ({ host }) => {
    await host.open({ ...APP, view: 'app', path: 'no-such-page', theme: 'dark' });
    await expect(host.page.getByText('Healthy', { exact: true })).toBeVisible();
  });

  test('configuration page renders', async ({ host }) => {
    await host.open({ ...APP, view: 'app-config', page: 'configuration', theme: 'light' });
    await expect(host.page.getByRole('button', { name: 'Disable app' })).toBeVisible();
    await expect(host.page.getByRole('link', { name: 'Open data source settings' })).toBeVisible();
    await host.screenshot('app-config-light');
  });

  test('home page lists the index state and the bundled dashboards', async ({ host }) => {
    await host.open({ ...APP, view: 'app', path: 'home', theme: 'light' });
    await expect(host.page.getByRole('region', { name: 'Index' })).toContainText('Records in the index');
    await expect(host.page.getByRole('heading', { name: 'Dashboards' })).toBeVisible();
    await expect(host.page.getByRole('link', { name: 'Trace explorer' })).toHaveAttribute(
      'href',
      '/a/apifw-monitor-app/trace-explorer'
    );
    await host.screenshot('app-home-index-light');
  });

  for (const theme of THEMES) {
    test(`trace explorer lists blocked transactions and opens one (${theme})`, async ({
      host,
      harness,
      request,
      timeRange,
      truth,
    }) => {
      const blocked = await queryRows(
        request,
        harness.grafanaUrl,
        { queryType: 'transactions', limit: 25, filters: { outcome: ['blocked'] } },
        timeRange
      );
      for (const size of PAGE_SIZES) {
        await host.open(
          {
            ...APP,
            view: 'app',
            path: `trace-explorer?outcome=blocked&from=${timeRange.from}&to=${timeRange.to}`,
            theme,
          },
          size
        );
        const table = host.page.getByTestId('apifw-transactions');
        await expect(table.getByRole('button', { name: /^Open transaction / })).toHaveCount(
          Math.min(25, truth.byOutcome.blocked)
        );
        // Only blocked rows, the newest first as the backend answered.
        await expect(table.getByText('Allowed', { exact: true })).toHaveCount(0);
        await expect(table.getByRole('button', { name: `Open transaction ${String(blocked[0].uuid)}` })).toBeVisible();
        await host.screenshot(`app-trace-explorer-${theme}-${size.width}x${size.height}`);

        await table.getByRole('button', { name: `Open transaction ${String(blocked[0].uuid)}` }).click();
        const detail = host.page.getByTestId('apifw-transaction-detail');
        await expect(detail.getByLabel('Transaction summary')).toContainText(String(blocked[0].uuid));
        await expect(detail.locator('[data-failed="true"]').first()).toBeVisible();
        await host.screenshot(`app-trace-explorer-detail-${theme}-${size.width}x${size.height}`);
      }
    });
  }

  test('trace explorer deep link with a UUID shows that transaction at once', async ({
    host,
    harness,
    request,
    timeRange,
  }) => {
    const [row] = await queryRows(request, harness.grafanaUrl, { queryType: 'transactions', limit: 1 }, timeRange);
    await host.open({ ...APP, view: 'app', path: `trace-explorer?uuid=${String(row.uuid)}`, theme: 'dark' });
    await expect(host.page.getByLabel('Transaction summary')).toContainText(String(row.uuid));
    await expect(host.page.getByLabel('Transaction UUID')).toHaveValue(String(row.uuid));
  });

  test('trace explorer filters by client IP from the URL', async ({ host, harness, request, timeRange }) => {
    const [row] = await queryRows(request, harness.grafanaUrl, { queryType: 'transactions', limit: 1 }, timeRange);
    const ip = String(row.clientIp);
    const all = await queryRows(
      request,
      harness.grafanaUrl,
      { queryType: 'transactions', limit: 1000, filters: { clientIp: ip } },
      timeRange
    );
    await host.open({
      ...APP,
      view: 'app',
      path: `trace-explorer?clientIp=${ip}&from=${timeRange.from}&to=${timeRange.to}`,
      theme: 'dark',
    });
    await expect(host.page.getByLabel('Client IP or CIDR')).toHaveValue(ip);
    await expect(
      host.page.getByTestId('apifw-transactions').getByRole('button', { name: /^Open transaction / })
    ).toHaveCount(Math.min(25, all.length));
  });

  for (const theme of THEMES) {
    test(`instances page lists every firewall instance (${theme})`, async ({ host, truth }) => {
      for (const size of PAGE_SIZES) {
        await host.open({ ...APP, view: 'app', path: 'instances', theme }, size);
        const table = host.page.getByTestId('apifw-instances');
        for (const name of Object.keys(truth.byInstance)) {
          await expect(table.getByText(name, { exact: true })).toBeVisible();
        }
        await host.screenshot(`app-instances-${theme}-${size.width}x${size.height}`);
      }
    });
  }

  test('instances page: a short "silent after" marks every instance of old demo data silent', async ({
    host,
    truth,
  }) => {
    await host.open({ ...APP, view: 'app', path: 'instances', theme: 'dark' });
    await host.page.getByLabel('Silent after').fill('1ns');
    await host.page.getByLabel('Silent after').press('Enter');
    await expect(host.page.getByTestId('apifw-instances').getByText('Silent', { exact: true })).toHaveCount(
      Object.keys(truth.byInstance).length
    );
  });

  for (const theme of THEMES) {
    test(`data management previews what a deletion would remove (${theme})`, async ({
      host,
      harness,
      request,
      timeRange,
    }) => {
      const [row] = await queryRows(request, harness.grafanaUrl, { queryType: 'transactions', limit: 1 }, timeRange);
      await host.open({ ...APP, view: 'app', path: 'data-management', theme });
      await host.page.getByLabel('Transaction UUIDs').fill(String(row.uuid));
      await host.page.getByRole('button', { name: 'Preview' }).click();
      await expect(host.page.getByTestId('apifw-deletion-preview')).toContainText('1 transaction matches');
      await expect(host.page.getByRole('button', { name: 'Delete…' })).toBeEnabled();
      await host.page.getByRole('button', { name: 'Delete…' }).click();
      // The confirmation names the criteria; dismissing it deletes nothing (other specs read these logs).
      await expect(host.page.getByRole('dialog')).toContainText(String(row.uuid));
      await host.screenshot(`app-data-management-${theme}`);
      await host.page.getByRole('button', { name: 'Cancel' }).click();
      await expect(host.page.getByRole('region', { name: 'Past deletions' })).toBeVisible();
    });
  }
});
