import { expect, expectText, SIZES, test, THEMES } from './fixtures';
import { queryRows } from './grafanaApi';

const TOPN = 'apifw-topn-panel';
const TRACE = 'apifw-trace-panel';
const count = (n: number) => n.toLocaleString('en-US');

test.describe(`${TOPN} (built module, topN frames from the real backend)`, () => {
  for (const theme of THEMES) {
    test(`ranks client IPs with outcome-split bars (${theme})`, async ({ host, truth, timeRange }) => {
      for (const size of SIZES) {
        await host.open(
          {
            plugin: TOPN,
            view: 'panel',
            theme,
            query: { queryType: 'topN', dimension: 'clientIp', limit: 10 },
            ...timeRange,
          },
          size
        );
        const list = host.page.getByRole('list', { name: 'Top clientIp values' });
        await expect(list).toBeVisible();
        const rows = list.getByRole('listitem');
        // Ten values and the remainder when there are more clients than that.
        const expected = Math.min(truth.distinctClients, 10) + (truth.distinctClients > 10 ? 1 : 0);
        if (size.height >= expected * 28 + 40) {
          await expect(rows).toHaveCount(expected);
        }
        await expect(rows.first().locator('[data-outcome]').first()).toBeVisible();
        // No horizontal overflow: the bars fit the panel at every size.
        const panel = host.page.getByTestId('apifw-topn');
        expect(await panel.evaluate((el) => el.scrollWidth <= el.clientWidth + 1)).toBe(true);
        await host.screenshot(`topn-${theme}-${size.width}x${size.height}`);
      }
    });
  }

  test('outcome dimension: every bar carries the exact count of the demo logs', async ({ host, truth, timeRange }) => {
    await host.open({
      plugin: TOPN,
      view: 'panel',
      theme: 'dark',
      query: { queryType: 'topN', dimension: 'outcome', limit: 10 },
      ...timeRange,
    });
    const list = host.page.getByRole('list', { name: 'Top outcome values' });
    for (const [outcome, n] of Object.entries(truth.byOutcome)) {
      if (n > 0) {
        await expect(list.getByLabel(`${outcome}: ${count(n)} transactions`, { exact: false })).toBeVisible();
      }
    }
  });

  test('blocked-ratio view and sorting by name', async ({ host, timeRange }) => {
    await host.open({
      plugin: TOPN,
      view: 'panel',
      theme: 'light',
      query: { queryType: 'topN', dimension: 'path', limit: 10 },
      options: { value: 'blockedRatio', sort: 'label' },
      ...timeRange,
    });
    const labels = await host.page
      .getByRole('list', { name: 'Top path values' })
      .getByRole('listitem')
      .evaluateAll((items) =>
        items.map((item) => item.querySelector('span')?.textContent ?? '').filter((label) => label !== 'Other')
      );
    expect(labels.length).toBeGreaterThan(1);
    expect([...labels].sort((a, b) => a.localeCompare(b, undefined, { numeric: true }))).toEqual(labels);
    await expect(host.page.getByTestId('apifw-topn')).toContainText('%');
    await host.screenshot('topn-blocked-ratio-light');
  });

  test('virtualised: a thousand-row result keeps only the visible rows in the page', async ({
    host,
    truth,
    timeRange,
  }) => {
    await host.open(
      {
        plugin: TOPN,
        view: 'panel',
        theme: 'dark',
        query: { queryType: 'topN', dimension: 'clientIp', limit: 1000 },
        options: { limit: 1000 },
        ...timeRange,
      },
      SIZES[0]
    );
    const list = host.page.getByRole('list', { name: 'Top clientIp values' });
    const shown = await list.getByRole('listitem').count();
    expect(shown).toBeGreaterThan(5);
    expect(shown).toBeLessThanOrEqual(Math.min(truth.distinctClients, 60));
    // Scrolling to the end brings the last rows in.
    await list.evaluate((el) => el.scrollTo(0, el.scrollHeight));
    await expect(list.getByRole('listitem').last()).toBeVisible();
  });

  test('clicking a bar opens the matching transactions in the trace explorer', async ({ host, timeRange }) => {
    await host.open({
      plugin: TOPN,
      view: 'panel',
      theme: 'dark',
      query: { queryType: 'topN', dimension: 'clientIp', limit: 5 },
      ...timeRange,
    });
    const first = host.page.getByRole('list', { name: 'Top clientIp values' }).getByRole('button').first();
    const ip = await first.locator('span').first().innerText();
    await first.click();
    await expect
      .poll(() => host.page.evaluate(() => window.location.pathname + window.location.search))
      .toBe(
        `/a/apifw-monitor-app/trace-explorer?clientIp=${encodeURIComponent(ip)}&from=${timeRange.from}&to=${timeRange.to}`
      );
  });

  test("empty time range shows Grafana's no-data view", async ({ host, timeRange }) => {
    const to = timeRange.from - 24 * 3600 * 1000;
    await host.open({
      plugin: TOPN,
      view: 'panel',
      theme: 'dark',
      query: { queryType: 'topN', dimension: 'clientIp' },
      from: to - 3_600_000,
      to,
    });
    await expectText(host.page.getByTestId('host-panel'), /No transactions match in this time range/);
  });
});

test.describe(`${TRACE} (built module, trace from the real backend)`, () => {
  for (const theme of THEMES) {
    test(`shows a blocked transaction's trace (${theme})`, async ({ host, harness, request, timeRange }) => {
      const [blocked] = await queryRows(
        request,
        harness.grafanaUrl,
        { queryType: 'transactions', limit: 1, filters: { outcome: ['blocked'] } },
        timeRange
      );
      const uuid = String(blocked.uuid);
      for (const size of SIZES) {
        await host.open(
          { plugin: TRACE, view: 'panel', theme, query: { queryType: 'trace', uuid }, options: { uuid }, ...timeRange },
          size
        );
        const detail = host.page.getByTestId('apifw-transaction-detail');
        await expect(detail).toBeVisible();
        await expect(detail.getByLabel('Transaction summary')).toContainText(uuid);
        await expect(
          detail.getByRole('list', { name: 'Processing steps' }).getByRole('listitem').first()
        ).toBeVisible();
        await expect(detail.getByRole('button', { name: 'Copy UUID' })).toBeVisible();
        await expect(detail.getByRole('link', { name: /Open in trace explorer/ })).toHaveAttribute(
          'href',
          `/a/apifw-monitor-app/trace-explorer?uuid=${uuid}`
        );
        // Secrets never reach the page (the demo logs carry x-access-token headers).
        expect(await host.page.content()).not.toMatch(/eyJhbGciOiJIUzI1NiJ9/);
        await host.screenshot(`trace-${theme}-${size.width}x${size.height}`);
      }
    });
  }

  test('the search box finds a transaction by UUID', async ({ host, harness, request, timeRange }) => {
    const [row] = await queryRows(request, harness.grafanaUrl, { queryType: 'transactions', limit: 1 }, timeRange);
    await host.open({ plugin: TRACE, view: 'panel', theme: 'light', query: { queryType: 'stats' }, ...timeRange });
    await expect(host.page.getByText(/No transaction selected/)).toBeVisible();
    await host.page.getByLabel('Transaction UUID').fill(String(row.uuid));
    await host.page.getByLabel('Transaction UUID').press('Enter');
    await expect(host.page.getByLabel('Transaction summary')).toContainText(String(row.uuid));
    // (An unknown UUID's 404 is a console error in the browser, which the fixture fails on; the
    // not-found message is covered by the component tests.)
  });
});
