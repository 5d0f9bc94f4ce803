import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';

import { expect, GRAFANA_AUTH, SIZES, test, THEMES } from './fixtures';
import type { Page } from '@playwright/test';

/**
 * Log content is attacker-controlled. Records whose paths, headers, query strings, API names and
 * error messages hold HTML, <script>, javascript: URLs and 10 000-character strings must render as
 * inert text: no script runs, no element is injected, no javascript: link appears, and the layout
 * keeps its width. The records live in their own log root, read by a data source created for this
 * spec, so the demo data the other specs count stays as it is.
 */

/** The hostile data source; one per generation (project), as the projects may run at the same time. */
let DS_UID = 'apifw-hostile';
const EVIL_INSTANCE = '<i>evil-instance</i>';
const LONG = 'A'.repeat(10_000);
const SECRET = 'secret-token-7f3a9';
const PWN = 'window.__apifwPwned=1';
const EVIL_PATH = `/<script>${PWN}</script>/<img src=x onerror="${PWN}">/${LONG}`;
const EVIL_UUIDS = [
  '6f1e2a3b-4c5d-4e6f-8a9b-0c1d2e3f4a5b',
  '6f1e2a3b-4c5d-4e6f-8a9b-0c1d2e3f4a5c',
  '6f1e2a3b-4c5d-4e6f-8a9b-0c1d2e3f4a5d',
];
const API_ID = '11111111-2222-3333-4444-555555555555';

function evilRecord(uuid: string, index: number, nowUs: number) {
  const time = nowUs - (index + 1) * 60_000_000;
  return {
    uuid,
    date_epoch: time,
    date_rfc8601: new Date(time / 1000).toISOString(),
    duration: 1234,
    pod: { instance_name: EVIL_INSTANCE, ip: 'n/a', namespace: 'n/a', service_account: 'n/a' },
    api: API_ID,
    api_name: `<b onmouseover="${PWN}">Evil API</b>`,
    non_blocking_mode: index === 1,
    blocking_level: 0,
    source_ip: '203.0.113.66',
    source_port: 4444,
    destination_ip: '10.0.0.1',
    destination_port: 443,
    protocol: 'HTTP/1.1',
    hostname: `javascript:${PWN}`,
    uri_path: index === 2 ? `/${LONG}` : EVIL_PATH,
    oas_path: `/<svg onload="${PWN}">`,
    method: 'GET',
    query: `q=<img src=x onerror=${PWN}>&next=javascript:${PWN}&long=${LONG}`,
    status: 403,
    params: {
      path: [{ id: `<script>${PWN}</script>` }],
      query: [{ next: `javascript:${PWN}` }, { long: LONG }],
      request_header: [
        { Referer: `javascript:${PWN}` },
        { 'X-Evil': `<iframe src="javascript:${PWN}"></iframe>` },
        { Authorization: `Bearer ${SECRET}` },
        { 'X-Long': LONG },
      ],
      response_header: [{ 'Set-Cookie': `sid=${SECRET}` }, { 'Content-Type': 'text/html' }],
    },
    request_body_size: 10,
    response_body_size: 10,
    response_aborted: false,
    errors:
      index === 0 || index === 1
        ? [
            {
              depth: 1,
              kdb_token: 'n/a',
              message: `<script>${PWN}</script> ${LONG}`,
              state: 'failed',
              step: `<b>request_validation</b>`,
            },
          ]
        : [],
    traces: [
      { date_epoch: time + 10, depth: 1, duration: 300, step: 'request_fetching' },
      { date_epoch: time + 400, depth: 1, duration: 500, step: `<b>request_validation</b>` },
    ],
    customs: { [`<img src=x onerror=${PWN}>`]: `javascript:${PWN}` },
    [`unknown_<script>${PWN}</script>`]: LONG,
  };
}

let tempDir = '';

test.beforeAll(async ({ request, harness }) => {
  DS_UID = `apifw-hostile-${harness.generation}`;
  tempDir = await mkdtemp(path.join(os.tmpdir(), 'apifw-hostile-'));
  const instanceDir = path.join(tempDir, 'logs', 'fw-evil');
  await mkdir(instanceDir, { recursive: true });
  const nowUs = Date.now() * 1000;
  const lines = EVIL_UUIDS.map((uuid, index) => JSON.stringify(evilRecord(uuid, index, nowUs)));
  await writeFile(path.join(instanceDir, `api-${API_ID}.transaction.log`), lines.join('\n') + '\n');
  await request.delete(`${harness.grafanaUrl}/api/datasources/uid/${DS_UID}`, { headers: GRAFANA_AUTH });
  const created = await request.post(`${harness.grafanaUrl}/api/datasources`, {
    headers: GRAFANA_AUTH,
    data: {
      name: `API Firewall Monitor (hostile input, ${harness.generation})`,
      type: 'apifw-monitor-datasource',
      uid: DS_UID,
      access: 'proxy',
      jsonData: { logRoots: [path.join(tempDir, 'logs')], stateDir: path.join(tempDir, 'state') },
    },
  });
  expect(created.ok(), await created.text()).toBe(true);
});

test.afterAll(async ({ request, harness }) => {
  await request.delete(`${harness.grafanaUrl}/api/datasources/uid/${DS_UID}`, { headers: GRAFANA_AUTH });
  if (tempDir) {
    await rm(tempDir, { recursive: true, force: true });
  }
});

/** Nothing ran, nothing was injected, no javascript: link, no page-wide horizontal scroll. */
async function expectInert(page: Page, container: string) {
  // Give any injected handler (onerror of a broken image, onload) the time to fire.
  await page.waitForTimeout(300);
  expect(await page.evaluate(() => (window as unknown as { __apifwPwned?: number }).__apifwPwned)).toBeUndefined();
  const injected = await page.evaluate((selector) => {
    const root = document.querySelector(selector);
    return root
      ? {
          scripts: root.querySelectorAll('script').length,
          iframes: root.querySelectorAll('iframe').length,
          images: Array.from(root.querySelectorAll('img')).filter((img) => img.getAttribute('src') === 'x').length,
          svgs: Array.from(root.querySelectorAll('svg')).filter((svg) => svg.hasAttribute('onload')).length,
          handlers: Array.from(root.querySelectorAll('*')).filter((el) =>
            Array.from(el.attributes).some((attr) => attr.name.startsWith('on'))
          ).length,
          jsLinks: Array.from(root.querySelectorAll('[href],[src],[action]')).filter((el) =>
            /^\s*javascript:/i.test(
              el.getAttribute('href') ?? el.getAttribute('src') ?? el.getAttribute('action') ?? ''
            )
          ).length,
        }
      : undefined;
  }, container);
  expect(injected).toEqual({ scripts: 0, iframes: 0, images: 0, svgs: 0, handlers: 0, jsLinks: 0 });
  const overflow = await page.evaluate(
    () => document.documentElement.scrollWidth - document.documentElement.clientWidth
  );
  expect(overflow, 'horizontal overflow of the page').toBeLessThanOrEqual(1);
}

const range = () => ({ from: Date.now() - 3 * 3600_000, to: Date.now() + 60_000 });

test.describe('hostile log content renders as inert text', () => {
  for (const theme of THEMES) {
    test(`top-N panel over hostile paths (${theme})`, async ({ host }) => {
      for (const size of SIZES) {
        await host.open(
          {
            plugin: 'apifw-topn-panel',
            view: 'panel',
            ds: DS_UID,
            theme,
            query: { queryType: 'topN', dimension: 'path', limit: 10 },
            ...range(),
          },
          size
        );
        const list = host.page.getByRole('list', { name: 'Top path values' });
        await expect(list.getByText(EVIL_PATH.slice(0, 40), { exact: false })).toBeVisible();
        await expectInert(host.page, '[data-testid="host-panel"]');
        const panel = host.page.getByTestId('apifw-topn');
        expect(await panel.evaluate((el) => el.scrollWidth <= el.clientWidth + 1)).toBe(true);
        await host.screenshot(`hostile-topn-${theme}-${size.width}x${size.height}`);
      }
    });
  }

  test('top-N over API names and instances', async ({ host }) => {
    // Five page loads of the development bundle; one test timeout (60 s) is too tight on a busy machine.
    test.setTimeout(150_000);
    for (const dimension of ['api', 'instance', 'hostname', 'operation', 'errorMessage']) {
      await host.open({
        plugin: 'apifw-topn-panel',
        view: 'panel',
        ds: DS_UID,
        theme: 'dark',
        query: { queryType: 'topN', dimension },
        ...range(),
      });
      await expect(
        host.page
          .getByRole('list', { name: `Top ${dimension} values` })
          .getByRole('listitem')
          .first()
      ).toBeVisible();
      await expectInert(host.page, '[data-testid="host-panel"]');
    }
  });

  for (const theme of THEMES) {
    test(`trace panel of a hostile transaction (${theme})`, async ({ host }) => {
      for (const size of SIZES) {
        await host.open(
          {
            plugin: 'apifw-trace-panel',
            view: 'panel',
            ds: DS_UID,
            theme,
            query: { queryType: 'trace', uuid: EVIL_UUIDS[0] },
            options: { uuid: EVIL_UUIDS[0] },
            ...range(),
          },
          size
        );
        const detail = host.page.getByTestId('apifw-transaction-detail');
        await expect(detail.getByTestId('apifw-trace-path')).toContainText('<script>');
        await expect(detail.getByText(`javascript:${PWN}`).first()).toBeVisible();
        expect(await host.page.content()).not.toContain(SECRET);
        await expectInert(host.page, '[data-testid="host-panel"]');
        expect(await detail.evaluate((el) => el.scrollWidth <= el.clientWidth + 1)).toBe(true);
        await host.screenshot(`hostile-trace-${theme}-${size.width}x${size.height}`);
      }
    });
  }

  test('trace explorer list and detail of hostile transactions', async ({ host }) => {
    for (const size of [
      { width: 1280, height: 800 },
      { width: 400, height: 800 },
    ]) {
      await host.open(
        {
          plugin: 'apifw-monitor-app',
          view: 'app',
          path: `trace-explorer?ds=${DS_UID}&from=now-6h&to=now`,
          theme: 'dark',
        },
        size
      );
      const table = host.page.getByTestId('apifw-transactions');
      await expect(table.getByRole('button', { name: /^Open transaction / })).toHaveCount(EVIL_UUIDS.length);
      await expectInert(host.page, 'main');
      await table.getByRole('button', { name: `Open transaction ${EVIL_UUIDS[0]}` }).click();
      await expect(host.page.getByTestId('apifw-trace-path')).toContainText('<img src=x');
      expect(await host.page.content()).not.toContain(SECRET);
      await expectInert(host.page, 'main');
      await host.screenshot(`hostile-trace-explorer-${size.width}x${size.height}`);
    }
  });
});
