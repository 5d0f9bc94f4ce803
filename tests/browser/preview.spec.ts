import { expect, test, THEMES } from './fixtures';

/**
 * The preview's own pages (host/dashboard/): `home`, the default view `npm start` shows without
 * Grafana, and `alerts`, the state of the provisioned alert rules from the plugin host's
 * Prometheus-compatible rules API.
 */

const RULES = '/api/prometheus/grafana/api/v1/rules';

interface RulesResponse {
  data: { groups: Array<{ name: string; rules: Array<{ name: string; state: string; health: string }> }> };
}

test.describe('home view', () => {
  for (const theme of THEMES) {
    test(`says it is not Grafana and links the app pages, the dashboards and the alert rules (${theme})`, async ({
      host,
    }) => {
      // No view: the home page, as `npm start` opens it.
      await host.open({ theme });
      const bar = host.page.getByTestId('preview-bar');
      await expect(bar).toContainText('Plugin host preview — this is not Grafana');
      await expect(bar.getByRole('link', { name: /Installing into an existing Grafana/ })).toHaveAttribute(
        'href',
        /README\.md#installing-into-an-existing-grafana$/
      );

      const pages = host.page.getByTestId('home-pages');
      for (const name of ['Home', 'Trace explorer', 'Instances', 'Data management']) {
        await expect(pages.getByRole('link', { name, exact: true })).toHaveAttribute(
          'href',
          /[?&]view=app&.*plugin=apifw-monitor-app/
        );
      }
      const dashboards = host.page.getByTestId('home-dashboards');
      for (const [title, uid] of [
        ['API Firewall Security', 'apifw-security'],
        ['API Collection', 'apifw-collection'],
        ['API Security Executive', 'apifw-executive'],
      ]) {
        await expect(dashboards.getByRole('link', { name: title, exact: true })).toHaveAttribute(
          'href',
          new RegExp(`[?&]view=dashboard&.*uid=${uid}`)
        );
      }
      await expect(host.page.getByTestId('home-alerts').getByRole('link', { name: /Alert rules/ })).toBeVisible();
      await host.screenshot(`preview-home-${theme}`);
    });
  }

  test('its links open the views: an app page, a dashboard, the alert rules, and back home', async ({ host }) => {
    test.setTimeout(120_000);
    await host.open({ theme: 'dark' });
    await host.page.getByTestId('home-pages').getByRole('link', { name: 'Instances', exact: true }).click();
    await expect(host.page.locator('body')).toHaveAttribute('data-host-state', 'ready');
    expect(new URL(host.page.url()).searchParams.get('path')).toBe('instances');
    await expect(host.page.getByTestId('preview-bar')).toBeVisible();

    await host.page.getByTestId('preview-bar').getByRole('link', { name: 'API Firewall Security' }).click();
    await expect(host.page.locator('body')).toHaveAttribute('data-host-state', 'ready');
    await expect(host.page.getByRole('heading', { name: 'API Firewall Security', level: 1 })).toBeVisible();

    await host.page.getByTestId('preview-bar').getByRole('link', { name: 'Alert rules' }).click();
    await expect(host.page.getByTestId('alerts')).toBeVisible();

    await host.page.getByTestId('preview-bar').getByRole('link', { name: 'Home' }).click();
    await expect(host.page.getByTestId('home')).toBeVisible();
  });
});

test.describe('alerts view', () => {
  test('lists every provisioned rule with its state and health, as the rules API reports them', async ({
    host,
    harness,
    request,
  }) => {
    const response = await request.get(`${harness.hostUrl}${RULES}`);
    expect(response.ok()).toBe(true);
    const api = (await response.json()) as RulesResponse;
    const rules = api.data.groups.flatMap((group) => group.rules);
    expect(rules.length, 'provisioned rules').toBeGreaterThan(0);

    for (const theme of THEMES) {
      await host.open({ view: 'alerts', theme });
      const cards = host.page.getByTestId('alert-rule');
      await expect(cards).toHaveCount(rules.length);
      for (const group of api.data.groups) {
        await expect(host.page.getByRole('region', { name: `Rule group ${group.name}` })).toBeVisible();
      }
      for (const rule of rules) {
        const card = cards.filter({ hasText: rule.name }).first();
        await expect(card).toBeVisible();
        // The state can move between the API call and the page's own; it is one of Grafana's.
        await expect(card).toHaveAttribute('data-rule-state', /^(inactive|pending|firing|recovering)$/);
        await expect(card).toHaveAttribute('data-rule-health', /^(ok|error|nodata)$/);
        await expect(card).toContainText(/health: (ok|error|nodata)/);
      }
      await expect(host.page.getByTestId('alerts')).toContainText(`${rules.length} rules:`);
      await host.screenshot(`preview-alerts-${theme}`);
    }
  });

  test('reads the rules again every 10 seconds', async ({ host }) => {
    test.setTimeout(60_000);
    await host.open({ view: 'alerts', theme: 'dark' });
    await expect(host.page.getByText(/updated .* \(every 10 s\)/)).toBeVisible();
    const reload = host.page.waitForRequest((request) => request.url().endsWith(RULES), { timeout: 15_000 });
    await reload;
    const again = host.page.waitForRequest((request) => request.url().endsWith(RULES), { timeout: 15_000 });
    const started = Date.now();
    await again;
    expect(Date.now() - started).toBeGreaterThan(8_000);
  });
});
