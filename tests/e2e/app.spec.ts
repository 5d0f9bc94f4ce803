// Runs against a full Grafana with its web UI (docker compose up; see docs/development.md).
import { test, expect } from './fixtures';

test('home page shows the provisioned data source and what it found', async ({ gotoPage, page }) => {
  await gotoPage('/home');
  await expect(page.getByText('API Firewall Monitor', { exact: false }).first()).toBeVisible();
  await expect(page.getByText(/Found \d+ instance folder\(s\)/)).toBeVisible();
  await expect(page.getByText('Healthy')).toBeVisible();
});

test('app configuration page renders', async ({ appConfigPage, page }) => {
  await expect(appConfigPage.ctx.page.getByRole('link', { name: /data source settings/i })).toBeVisible();
  await expect(page.getByText(/enabled/i).first()).toBeVisible();
});
