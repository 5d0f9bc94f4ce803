import { expect, GRAFANA_AUTH, test, THEMES } from './fixtures';

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
});
