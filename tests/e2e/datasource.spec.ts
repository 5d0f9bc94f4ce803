// Runs against a full Grafana with its web UI (docker compose up; see docs/development.md).
import { test, expect } from '@grafana/plugin-e2e';

test('provisioned data source passes "Save & test"', async ({ readProvisionedDataSource, gotoDataSourceConfigPage }) => {
  const ds = await readProvisionedDataSource({ fileName: 'apifw-monitor.yaml' });
  const configPage = await gotoDataSourceConfigPage(ds.uid);
  await expect(configPage.saveAndTest()).toBeOK();
});

test('stats query returns data in a panel editor', async ({ panelEditPage, readProvisionedDataSource, page }) => {
  const ds = await readProvisionedDataSource({ fileName: 'apifw-monitor.yaml' });
  await panelEditPage.datasource.set(ds.name);
  await panelEditPage.setVisualization('Table');
  await expect(panelEditPage.refreshPanel()).toBeOK();
  await expect(page.getByText('blockedRatio')).toBeVisible();
});
