import type { APIRequestContext, Locator, Page } from '@playwright/test';

import { expect, type HostPage, test } from './fixtures';
import { queryRows } from './grafanaApi';

/**
 * Drill-down from each bundled dashboard into the trace explorer, in the host's dashboard view:
 * a click on an actual series point (time series: the pinned tooltip's data link), bar or slice
 * (the labelled fallback lists each one with its data links), top-N bar or table row follows the
 * data link Grafana builds for that item, and the explorer must show the dashboard's time range,
 * the item's own filters (the API by name, its id kept) and the dashboard's variables, and list
 * only the transactions those filters select.
 */

type Range = { from: number; to: number };

/** The explorer's own query string, from the host's app view URL (`path=trace-explorer?…`). */
function explorerParams(page: Page): URLSearchParams {
  const url = new URL(page.url());
  expect(url.searchParams.get('view')).toBe('app');
  const path = url.searchParams.get('path') ?? '';
  expect(path.startsWith('trace-explorer?'), path).toBe(true);
  return new URLSearchParams(path.slice('trace-explorer?'.length));
}

/** Waits until the link's navigation has reached the explorer (the host's app view) and it has rendered. */
async function arriveAtExplorer(page: Page) {
  await expect.poll(() => new URL(page.url()).searchParams.get('view'), { timeout: 30_000 }).toBe('app');
  await expect(page.locator('body')).toHaveAttribute('data-host-state', 'ready');
}

async function openDashboard(host: HostPage, uid: string, range: Range, variables: Record<string, string>) {
  await host.open(
    { view: 'dashboard', uid, theme: 'dark', from: range.from, to: range.to, refresh: '', ...variables },
    { width: 1600, height: 1000 }
  );
  await expect
    .poll(
      () =>
        host.page
          .getByTestId('dashboard-panel')
          .evaluateAll(
            (elements) =>
              elements.filter((e) => e.dataset.panelState !== 'done' || e.dataset.panelLoading === 'true').length
          ),
      { message: 'panels still loading', timeout: 60_000 }
    )
    .toBe(0);
}

function panel(page: Page, id: number): Locator {
  return page.locator(`[data-testid="dashboard-panel"][data-panel-id="${id}"]`);
}

/**
 * Hovers a time series panel until the tooltip shows a series under the cursor (TooltipPlugin2
 * focuses a series within 30 px of a point), then clicks there so the tooltip pins with that series'
 * data links. `accept` skips series the test cannot use (the "other" remainder).
 */
async function pinSeries(page: Page, id: number, accept: (series: string) => boolean = () => true) {
  const over = panel(page, id).locator('.u-over');
  await over.scrollIntoViewIfNeeded();
  const box = (await over.boundingBox())!;
  const tooltip = page.getByTestId('series-tooltip');
  for (const fx of [0.5, 0.35, 0.65, 0.2, 0.8, 0.1, 0.9]) {
    for (let y = box.height - 3; y > 0; y -= 12) {
      const x = box.x + fx * box.width;
      await page.mouse.move(x, box.y + y);
      if ((await tooltip.count()) === 0) {
        continue;
      }
      const text = await tooltip.getByTestId('series-tooltip-series').innerText();
      const series = text.slice(0, text.lastIndexOf(':'));
      if (!accept(series)) {
        continue;
      }
      await page.mouse.click(x, box.y + y);
      await expect(tooltip).toHaveAttribute('data-pinned', 'true');
      return { tooltip, series };
    }
  }
  throw new Error(`no series point to click in panel ${id}`);
}

/** The explorer's table: every row's text in the named column. */
async function columnValues(page: Page, header: string): Promise<string[]> {
  const table = page.getByTestId('apifw-transactions').locator('table');
  return table.evaluate((element, name) => {
    const headers = [...element.querySelectorAll('thead th')].map((th) => th.textContent?.trim());
    const column = headers.indexOf(name);
    return [...element.querySelectorAll('tbody tr')].map(
      (tr) => (tr.querySelectorAll('td')[column] as HTMLElement | undefined)?.innerText.trim() ?? ''
    );
  }, header);
}

/** Waits for the explorer's list and checks it holds what the backend answers for the same filters. */
async function expectListed(
  page: Page,
  request: APIRequestContext,
  grafanaUrl: string,
  filters: Record<string, unknown>,
  range: Range
): Promise<number> {
  await expect(page.locator('body')).toHaveAttribute('data-host-state', 'ready');
  const expected = await queryRows(request, grafanaUrl, { queryType: 'transactions', limit: 100, filters }, range);
  if (expected.length === 0) {
    await expect(page.getByText('No transaction matches these filters in this time range.')).toBeVisible();
    return 0;
  }
  // The explorer asks for the 100 newest and says how many it lists (its table shows them 25 a page).
  await expect(
    page.getByText(
      expected.length === 100 ? 'The 100 newest matching transactions' : `${expected.length} matching transactions`,
      { exact: true }
    )
  ).toBeVisible();
  return expected.length;
}

/** The range the dashboard had, as the explorer's URL and its time picker show it. */
async function expectRange(page: Page, range: Range) {
  const params = explorerParams(page);
  expect([params.get('from'), params.get('to')]).toEqual([String(range.from), String(range.to)]);
  // The picker shows the range in the browser's zone, as "YYYY-MM-DD HH:mm:ss to …".
  const shown = await page.evaluate(
    ({ from }) => {
      const d = new Date(from);
      const pad = (n: number) => String(n).padStart(2, '0');
      return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())} ${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}`;
    },
    { from: range.from }
  );
  await expect(page.getByRole('region', { name: 'Filters', exact: true })).toContainText(shown);
}

function appliedFilter(page: Page, key: string): Locator {
  return page.getByRole('region', { name: 'Applied filters' }).locator(`[data-filter="${key}"]`);
}

/** API id → name, as the firewall logs name them. */
async function apiNames(request: APIRequestContext, grafanaUrl: string, range: Range) {
  const rows = await queryRows(request, grafanaUrl, { queryType: 'topN', dimension: 'api', limit: 100 }, range);
  const tx = await queryRows(request, grafanaUrl, { queryType: 'transactions', limit: 1000 }, range);
  const names = new Map<string, string>();
  for (const row of tx) {
    names.set(String(row.api), String(row.apiName));
  }
  return { ids: rows.map((row) => String(row.api)).filter((id) => names.has(id)), names };
}

// An inventory API with traffic in the range, its collection (the Collection and Executive
// dashboards' variable) and every API's name by id.
async function apiWithTraffic(request: APIRequestContext, grafanaUrl: string, range: Range) {
  const inventory = await queryRows(request, grafanaUrl, { queryType: 'inventory', groupBy: 'api' }, range);
  const { names } = await apiNames(request, grafanaUrl, range);
  const row = inventory.find((r) => names.has(String(r.apiId)) && r.collection);
  expect(row, 'an inventory API with traffic').toBeTruthy();
  return { id: String(row!.apiId), name: String(row!.api), collection: String(row!.collection), names };
}

type ApiWithTraffic = Awaited<ReturnType<typeof apiWithTraffic>>;

// Follows the API link of a table panel's row for api.
async function followApiRow(page: Page, panelId: number, api: ApiWithTraffic) {
  const row = panel(page, panelId).getByRole('row').filter({ hasText: api.name }).first();
  await row.locator('a[href*="apiName="]').first().click();
  await arriveAtExplorer(page);
}

// The explorer shows api (by id, with its name), the collection and the range, and lists only
// that API's transactions.
async function expectApiKept(
  page: Page,
  request: APIRequestContext,
  grafanaUrl: string,
  range: Range,
  api: ApiWithTraffic
) {
  const params = explorerParams(page);
  expect(params.getAll('api')).toEqual([api.id]);
  expect(params.getAll('apiName')).toEqual([api.name]);
  expect(params.getAll('var-collection')).toEqual([api.collection]);
  await expectRange(page, range);
  await expect(appliedFilter(page, 'api')).toContainText(api.name);
  await expect(appliedFilter(page, 'collection')).toHaveText(`Collection: ${api.collection}`);
  await expectListed(page, request, grafanaUrl, { api: [api.id], collection: [api.collection] }, range);
  const listed = await columnValues(page, 'API');
  expect(new Set(listed).size).toBeLessThanOrEqual(1);
  if (listed.length > 0) {
    expect(listed[0]).toBe(api.names.get(api.id));
  }
}

test.describe('drill-down from the bundled dashboards into the trace explorer', () => {
  test.setTimeout(240_000);

  test('security: time series point, top-N bar, table row and geomap marker keep their context', async ({
    host,
    harness,
    request,
    timeRange,
    truth,
  }) => {
    const page = host.page;
    const instance = Object.keys(truth.byInstance).sort()[0];
    const { names } = await apiNames(request, harness.grafanaUrl, timeRange);
    const open = () => openDashboard(host, 'apifw-security', timeRange, { 'var-instance': instance });

    // Time series "Blocked calls by API": a point of one API's series.
    await open();
    const { tooltip, series } = await pinSeries(page, 10, (name) => name !== 'other');
    await tooltip.getByRole('link', { name: 'Blocked calls of this API' }).click();
    await arriveAtExplorer(page);
    let params = explorerParams(page);
    const apiId = params.get('api')!;
    expect(names.get(apiId), `series ${series} is API ${apiId}`).toBe(series);
    expect(params.getAll('apiName')).toEqual([series]);
    expect(params.getAll('outcome')).toEqual(['blocked']);
    expect(params.getAll('var-instance')).toEqual([instance]);
    await expectRange(page, timeRange);
    await expect(appliedFilter(page, 'api')).toHaveText(`API: ${series} (${apiId})`);
    await expect(appliedFilter(page, 'instance')).toHaveText(`Instance: ${instance}`);
    const blockedOfApi = await expectListed(
      page,
      request,
      harness.grafanaUrl,
      { api: [apiId], instance: [instance], outcome: ['blocked'] },
      timeRange
    );
    expect(blockedOfApi, 'a point of a series with blocked calls').toBeGreaterThan(0);
    expect(new Set(await columnValues(page, 'API'))).toEqual(new Set([series]));
    // The column reads "<instance> (<hostname called>)".
    expect(new Set((await columnValues(page, 'Instance')).map((text) => text.split(' (')[0]))).toEqual(
      new Set([instance])
    );

    // Top-N "Top client IPs": a bar; the instance variable comes along from the panel's data link.
    await open();
    const bar = panel(page, 11).getByRole('list', { name: 'Top clientIp values' }).getByRole('button').first();
    const ip = await bar.locator('span').first().innerText();
    await bar.click();
    await arriveAtExplorer(page);
    params = explorerParams(page);
    expect(params.get('clientIp')).toBe(ip);
    expect(params.getAll('instance')).toEqual([instance]);
    await expectRange(page, timeRange);
    await expect(page.getByLabel('Client IP or CIDR')).toHaveValue(ip);
    await expectListed(page, request, harness.grafanaUrl, { clientIp: ip, instance: [instance] }, timeRange);
    expect(new Set(await columnValues(page, 'Client'))).toEqual(new Set([ip]));
    // The trace of one of them places the client (the data source has the country database).
    await page
      .getByTestId('apifw-transactions')
      .getByRole('button', { name: /^Open transaction / })
      .first()
      .click();
    const location = page
      .getByLabel('Transaction summary')
      .locator('div', { has: page.locator('dt', { hasText: 'Client location' }) })
      .locator('dd');
    await expect(location).toHaveText(/^[A-Z]{2}$/);

    // Table "Latest blocked transactions": a row's cell links to that row's API.
    await open();
    // A table cell with one data link is that link (its text is the cell's value).
    const link = panel(page, 20).locator('a[href*="apiName="]').first();
    await expect(link).toBeVisible();
    const rowApiName = new URL((await link.getAttribute('href'))!, 'http://host').searchParams.get('apiName')!;
    await link.click();
    await arriveAtExplorer(page);
    params = explorerParams(page);
    expect(params.getAll('apiName')).toEqual([rowApiName]);
    expect(names.get(params.get('api')!)).toBe(rowApiName);
    expect(params.getAll('outcome')).toEqual(['blocked']);
    await expectRange(page, timeRange);
    await expect(appliedFilter(page, 'api')).toContainText(rowApiName);
    await expectListed(
      page,
      request,
      harness.grafanaUrl,
      { api: [params.get('api')], instance: [instance], outcome: ['blocked'] },
      timeRange
    );
    expect(new Set(await columnValues(page, 'API'))).toEqual(new Set([rowApiName]));

    // The demo clients are public addresses: the geo panels name real countries, and a marker of
    // the geomap (the labelled fallback lists them) drills down to that country's blocked calls.
    await open();
    const countries = panel(page, 23).getByRole('list', { name: 'Top clientCountry values' }).getByRole('button');
    await expect(countries.first()).toBeVisible();
    const topCountry = await countries.first().locator('span').first().innerText();
    expect(topCountry).toMatch(/^[A-Z]{2}$/);
    const geomap = panel(page, 22).getByTestId('viz-fallback');
    // A marker whose first cell is a country code (not "unknown").
    const marker = geomap
      .locator('tr')
      .filter({ has: page.locator('td:first-child', { hasText: /^[A-Z]{2}$/ }) })
      .first();
    await expect(marker).toBeVisible();
    const country = (await marker.locator('td').first().innerText()).trim();
    expect(country).toMatch(/^[A-Z]{2}$/);
    await marker.getByRole('link', { name: 'Blocked calls from this country' }).click();
    await arriveAtExplorer(page);
    params = explorerParams(page);
    expect(params.getAll('clientCountry')).toEqual([country]);
    await expectRange(page, timeRange);
    await expect(appliedFilter(page, 'clientCountry')).toHaveText(`Client country: ${country}`);
    const fromCountry = await expectListed(
      page,
      request,
      harness.grafanaUrl,
      { clientCountry: [country], instance: [instance], outcome: ['blocked'] },
      timeRange
    );
    expect(fromCountry).toBeGreaterThan(0);
  });

  test('collection: table row, bar and time series point keep the collection, the range and the API', async ({
    host,
    harness,
    request,
    timeRange,
  }) => {
    const page = host.page;
    const api = await apiWithTraffic(request, harness.grafanaUrl, timeRange);
    const collection = api.collection;
    const open = () => openDashboard(host, 'apifw-collection', timeRange, { 'var-collection': collection });

    // Table "Latest audit per API": the row of the API with traffic.
    await open();
    await followApiRow(page, 11, api);
    await expectApiKept(page, request, harness.grafanaUrl, timeRange, api);

    // Bar chart "Scan issues per API by severity": that API's bar.
    await open();
    const barRow = panel(page, 8).getByTestId('viz-fallback').locator('tr').filter({ hasText: api.name });
    if ((await barRow.count()) > 0) {
      await barRow.first().getByRole('link', { name: 'Transactions of this API' }).click();
      await arriveAtExplorer(page);
      await expectApiKept(page, request, harness.grafanaUrl, timeRange, api);
    } else {
      test.info().annotations.push({ type: 'no scan bar', description: `${api.name} has no scan` });
    }

    // Time series "Audits and average score": its series are collection-wide, so the link keeps the
    // dashboard's context (the collection and the range) and no API.
    await open();
    const { tooltip } = await pinSeries(page, 13);
    await tooltip.getByRole('link', { name: 'Show transactions' }).click();
    await arriveAtExplorer(page);
    const params = explorerParams(page);
    expect(params.getAll('var-collection')).toEqual([collection]);
    expect(params.getAll('api')).toEqual([]);
    await expectRange(page, timeRange);
    await expect(appliedFilter(page, 'collection')).toHaveText(`Collection: ${collection}`);
    await expectListed(page, request, harness.grafanaUrl, { collection: [collection] }, timeRange);
  });

  test('executive: time series point and table row open that API with the collection and range', async ({
    host,
    harness,
    request,
    timeRange,
  }) => {
    const page = host.page;
    const api = await apiWithTraffic(request, harness.grafanaUrl, timeRange);
    const { names, collection } = api;
    const open = () => openDashboard(host, 'apifw-executive', timeRange, { 'var-collection': collection });

    // Time series "Blocked calls over time" (by API): a point of one API's series.
    await open();
    const { tooltip, series } = await pinSeries(page, 16, (name) => name !== 'other');
    await tooltip.getByRole('link', { name: 'Blocked calls of this API' }).click();
    await arriveAtExplorer(page);
    const params = explorerParams(page);
    const apiId = params.get('api')!;
    expect(names.get(apiId)).toBe(series);
    expect(params.getAll('apiName')).toEqual([series]);
    expect(params.getAll('var-collection')).toEqual([collection]);
    expect(params.getAll('outcome')).toEqual(['blocked']);
    await expectRange(page, timeRange);
    await expect(appliedFilter(page, 'api')).toHaveText(`API: ${series} (${apiId})`);
    const listed = await expectListed(
      page,
      request,
      harness.grafanaUrl,
      { api: [apiId], collection: [collection], outcome: ['blocked'] },
      timeRange
    );
    expect(listed).toBeGreaterThan(0);
    expect(new Set(await columnValues(page, 'API'))).toEqual(new Set([series]));

    // Table "APIs": the row of the API with traffic.
    await open();
    await followApiRow(page, 17, api);
    await expectApiKept(page, request, harness.grafanaUrl, timeRange, api);
    expect(new Set(await columnValues(page, 'API'))).toEqual(new Set([api.name]));
  });
});
