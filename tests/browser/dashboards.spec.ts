import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { Locator } from '@playwright/test';

import { expect, type HostPage, test, type Theme } from './fixtures';
import { REPO_ROOT, SCREENSHOT_DIR } from './harness';

/**
 * The bundled dashboards in the host page's `dashboard` view (host/dashboard/), as the preview
 * shows them: the dashboard JSON from the plugin host's /api/dashboards/uid, Grafana's grid,
 * time picker and variables, every panel's queries run by the real data source against the real
 * backend, and every panel drawn by its Grafana component: the plugin's own panels from their
 * built modules, Grafana's built-in visualisations with the @grafana/ui components npm ships
 * (BigValue, Table, BarGauge, TimeSeries), and a labelled fallback for the visualisations that
 * live in Grafana's core only (pie chart, bar chart).
 */

interface Panel {
  id: number;
  type: string;
  title: string;
  description?: string;
  gridPos: { x: number; y: number; w: number; h: number };
  panels?: Panel[];
}

interface Dashboard {
  uid: string;
  title: string;
  panels: Panel[];
}

const DASHBOARDS = ['security', 'collection', 'executive'];
const VIEWPORTS = [
  { name: '1920x1080', width: 1920, height: 1080 },
  { name: '1366x768', width: 1366, height: 768 },
];

function readDashboard(name: string): Dashboard {
  return JSON.parse(readFileSync(path.join(REPO_ROOT, 'src', 'dashboards', `${name}.json`), 'utf8')) as Dashboard;
}

/** Every panel that is not a row, with those inside collapsed rows. */
function panelsOf(dashboard: Dashboard): Panel[] {
  return dashboard.panels.flatMap((panel) => (panel.type === 'row' ? (panel.panels ?? []) : [panel]));
}

/** What must draw each type (host/dashboard/visualizations.tsx): a component, the plugin, or the labelled fallback. */
function expectedRenderer(type: string): RegExp {
  if (type.startsWith('apifw-')) {
    return new RegExp(`^plugin:${type}$`);
  }
  const renderers: Record<string, RegExp> = {
    stat: /^BigValue$/,
    table: /^Table$/,
    timeseries: /^TimeSeries$/,
    bargauge: /^BarGauge$/,
    // @grafana/ui 12 exports Gauge, 13 no longer does: BarGauge then.
    gauge: /^(Gauge|BarGauge)$/,
    text: /^Markdown$/,
  };
  return renderers[type] ?? /^fallback$/;
}

/** Checks the panel's body holds what its renderer draws. */
async function expectDrawn(panel: Locator, type: string, renderer: string) {
  const content = panel.getByTestId('data-testid panel content');
  const noData = content.getByText(/^(No data|Data does not have a time field)$/);
  switch (renderer) {
    case 'TimeSeries':
      await expect(content.getByTestId('uplot-main-div').or(noData).first()).toBeVisible();
      return;
    case 'Table':
      await expect(content.getByTestId('data-testid table body').or(noData).first()).toBeVisible();
      return;
    case 'BarGauge':
      await expect(content.getByTestId('data-testid Bar gauge value').first()).toBeVisible();
      return;
    case 'BigValue':
      await expect(content).not.toHaveText('');
      return;
    case 'fallback':
      await expect(content.getByTestId('viz-fallback')).toContainText(
        `${type}: not available outside Grafana — values:`
      );
      return;
    default:
      if (renderer === 'plugin:apifw-topn-panel') {
        await expect(content.getByTestId('apifw-topn').or(content.getByText('No data')).first()).toBeVisible();
      } else {
        await expect(content).toBeVisible();
      }
  }
}

/** Opens a dashboard with the demo data's time range and no auto-refresh; waits until no panel is loading. */
async function openDashboard(
  host: HostPage,
  uid: string,
  theme: Theme,
  range: { from: number; to: number },
  viewport: { width: number; height: number },
  extra: Record<string, string> = {}
) {
  await host.open({ view: 'dashboard', uid, theme, from: range.from, to: range.to, refresh: '', ...extra }, viewport);
  const panels = host.page.getByTestId('dashboard-panel');
  await expect(panels.first()).toBeVisible();
  await waitForPanels(host);
  return panels;
}

/** Waits until no panel is loading or running its queries again. */
async function waitForPanels(host: HostPage) {
  await expect
    .poll(
      () =>
        host.page
          .getByTestId('dashboard-panel')
          .evaluateAll(
            (elements) =>
              elements.filter((e) => e.dataset.panelState === 'loading' || e.dataset.panelLoading === 'true').length
          ),
      { message: 'panels still loading', timeout: 60_000 }
    )
    .toBe(0);
}

for (const name of DASHBOARDS) {
  test(`${name} dashboard: every panel drawn by its Grafana component or a labelled fallback, no errors`, async ({
    host,
    harness,
    timeRange,
  }) => {
    test.setTimeout(300_000);
    const dashboard = readDashboard(name);
    const expected = panelsOf(dashboard);
    const emptyStats: string[] = [];

    for (const viewport of VIEWPORTS) {
      const themes: Theme[] = viewport === VIEWPORTS[0] ? ['dark', 'light'] : ['dark'];
      for (const theme of themes) {
        const panels = await openDashboard(host, dashboard.uid, theme, timeRange, viewport);
        await expect(host.page.getByRole('heading', { name: dashboard.title, level: 1 })).toBeVisible();
        await expect(host.page.getByTestId('preview-bar')).toContainText('Plugin host preview — this is not Grafana');
        await expect(panels).toHaveCount(expected.length);

        for (const model of expected) {
          const panel = host.page.locator(`[data-testid="dashboard-panel"][data-panel-id="${model.id}"]`);
          const title = (await panel.getAttribute('data-panel-title')) ?? model.title;
          const state = await panel.getAttribute('data-panel-state');
          const error = state === 'error' ? await panel.innerText() : '';
          expect(state, `${title}: ${error}`).toBe('done');
          await expect(panel.getByTestId('panel-error'), title).toHaveCount(0);
          const renderer = (await panel.getAttribute('data-panel-renderer')) ?? '';
          expect(renderer, `${title} (${model.type})`).toMatch(expectedRenderer(model.type));
          await expectDrawn(panel, model.type, renderer);
          // Each panel keeps its title and the description tooltip Grafana shows.
          expect(model.description, `${title}: description`).toBeTruthy();
          if (renderer === 'BigValue' && theme === 'dark' && viewport === VIEWPORTS[0]) {
            const text = await panel.getByTestId('data-testid panel content').innerText();
            if (/^No data$/m.test(text)) {
              emptyStats.push(title);
            }
          }
        }

        // Panels sit in Grafana's grid: 24 columns, 30 px rows with 8 px gaps, no overlaps.
        const boxes = await panels.evaluateAll((elements) =>
          elements.map((element) => {
            const rect = element.getBoundingClientRect();
            return { id: element.dataset.panelId, x: rect.x, y: rect.y, w: rect.width, h: rect.height };
          })
        );
        for (const model of expected) {
          const box = boxes.find((candidate) => candidate.id === String(model.id))!;
          expect(Math.round(box.h), `${model.title}: height`).toBe(model.gridPos.h * 30 + (model.gridPos.h - 1) * 8);
        }
        for (const a of boxes) {
          for (const b of boxes) {
            const overlap =
              a !== b && a.x < b.x + b.w - 1 && b.x < a.x + a.w - 1 && a.y < b.y + b.h - 1 && b.y < a.y + a.h - 1;
            expect(overlap, `panels ${a.id} and ${b.id} overlap`).toBe(false);
          }
        }

        // The whole grid in one picture: the viewport grows to the page's height first (Chromium's
        // fullPage capture left the panel contents unpainted), then the panels settle again.
        const height = await host.page.evaluate(() => document.documentElement.scrollHeight);
        await host.page.setViewportSize({ width: viewport.width, height });
        await waitForPanels(host);
        await host.page.evaluate(() => document.fonts.ready);
        const file = path.join(SCREENSHOT_DIR, harness.generation, `dashboard-${name}-${theme}-${viewport.name}.png`);
        await host.page.screenshot({ path: file });
        await test.info().attach(path.basename(file, '.png'), { path: file, contentType: 'image/png' });
      }
    }

    if (emptyStats.length > 0) {
      // Grafana's stat panels match reduceOptions.fields against the display name, which a
      // displayName override has already changed: such panels say "No data" in Grafana too.
      test.info().annotations.push({ type: 'stat panels showing "No data"', description: emptyStats.join('; ') });
    }
  });
}

test('security dashboard: a variable picked in its select reaches the URL and the panels query again', async ({
  host,
  timeRange,
}) => {
  test.setTimeout(120_000);
  await openDashboard(host, 'apifw-security', 'dark', timeRange, VIEWPORTS[0]);
  const variables = host.page.getByTestId('dashboard-variables');
  await expect(variables.locator('[data-variable="datasource"]')).toContainText('API Firewall Monitor');
  // The instance variable's options come from the data source's variable support (the backend's values).
  const instance = variables.locator('[data-variable="instance"]');
  await instance.locator('input').click();
  const options = host.page.getByRole('option');
  await expect(options.first()).toBeVisible();
  // "All" is selected, so the menu lists the instances themselves.
  const labels = await options.allInnerTexts();
  expect(labels.length, 'instance options').toBeGreaterThan(0);
  expect(labels).not.toContain('All');
  // The panels' next queries carry the chosen instance (the data source interpolated $instance).
  const filtered = host.page.waitForRequest(
    (request) =>
      new URL(request.url()).pathname === '/api/ds/query' && /"instance":\["[^"$]/.test(request.postData() ?? '')
  );
  await options.nth(1).click();
  await filtered;
  await expect
    .poll(() => new URL(host.page.url()).searchParams.getAll('var-instance'))
    .toEqual([expect.not.stringMatching(/^\$__all$/)]);
  const panels = host.page.getByTestId('dashboard-panel');
  await expect
    .poll(() =>
      panels.evaluateAll(
        (elements) =>
          elements.filter((e) => e.dataset.panelState !== 'done' || e.dataset.panelLoading === 'true').length
      )
    )
    .toBe(0);
  await expect(host.page.locator('[data-panel-state="error"]')).toHaveCount(0);
});

test("security dashboard: a top-N bar drills down into the app's trace explorer inside the preview", async ({
  host,
  timeRange,
}) => {
  test.setTimeout(120_000);
  await openDashboard(host, 'apifw-security', 'dark', timeRange, VIEWPORTS[0]);
  const topClients = host.page.locator('[data-testid="dashboard-panel"][data-panel-title="Top client IPs"]');
  const bar = topClients.getByRole('list', { name: 'Top clientIp values' }).getByRole('button').first();
  const ip = await bar.locator('span').first().innerText();
  await bar.click();
  // /a/apifw-monitor-app/trace-explorer?clientIp=… becomes the host's app view of that page.
  await expect.poll(() => new URL(host.page.url()).searchParams.get('view')).toBe('app');
  const url = new URL(host.page.url());
  expect(url.searchParams.get('plugin')).toBe('apifw-monitor-app');
  expect(url.searchParams.get('path')).toMatch(new RegExp(`^trace-explorer\\?clientIp=${ip.replace(/\./g, '\\.')}&`));
  await expect(host.page.locator('body')).toHaveAttribute('data-host-state', 'ready');
  await expect(host.page.getByTestId('preview-bar')).toBeVisible();
});
