import { test as base, expect, type Locator, type Page } from '@playwright/test';
import path from 'node:path';

import { knownGap } from './compat/known-gaps';
import type { GenerationName } from './generations';
import { harnessFor, type HarnessInfo, readHarness, readTruth, SCREENSHOT_DIR, type Truth } from './harness';

export { expect };

export const GRAFANA_AUTH = { Authorization: `Basic ${Buffer.from('admin:admin').toString('base64')}` };

export type Theme = 'light' | 'dark';
export const THEMES: Theme[] = ['light', 'dark'];

/** Viewports the screenshots are taken at: a desktop window and a narrow panel. */
export const SIZES = [
  { width: 1280, height: 800 },
  { width: 360, height: 300 },
];

type ParamValue = string | number | object;

/** Opens views of the host page (host/main.tsx) and saves screenshots. */
export class HostPage {
  constructor(
    readonly page: Page,
    private readonly harness: HarnessInfo
  ) {}

  /** Opens `?plugin=…&view=…` with the given parameters and waits until the host has rendered the view. */
  async open(params: Record<string, ParamValue>, viewport = SIZES[0]) {
    const search = new URLSearchParams();
    for (const [name, value] of Object.entries(params)) {
      search.set(name, typeof value === 'object' ? JSON.stringify(value) : String(value));
    }
    await this.page.setViewportSize(viewport);
    await this.page.goto(`${this.harness.hostUrl}/?${search}`);
    const body = this.page.locator('body');
    await expect(body).toHaveAttribute('data-host-state', /^(ready|error)$/);
    // On failure, show the host's error (a stack) rather than just the state.
    if ((await body.getAttribute('data-host-state')) === 'error') {
      throw new Error(
        `the host page could not show the view:\n${await this.page.getByTestId('host-error').innerText()}`
      );
    }
  }

  /** Saves test-results/browser/screenshots/<generation>/<name>.png and attaches it to the report. */
  async screenshot(name: string) {
    // Web fonts and lazily loaded icons should be in place before the picture is taken.
    await this.page.evaluate(() => document.fonts.ready);
    const file = path.join(SCREENSHOT_DIR, this.harness.generation, `${name}.png`);
    await this.page.screenshot({ path: file });
    await test.info().attach(name, { path: file, contentType: 'image/png' });
  }
}

/**
 * Matches a field name followed by its displayed value in an element's innerText, whatever the
 * punctuation or line breaks between them, and not as part of a longer number.
 */
export function labelled(name: string, value: string): RegExp {
  const escape = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  return new RegExp(`(^|\\W)${escape(name)}\\W{0,3}${escape(value)}(?![\\d.,])`, 'm');
}

/** Polls an element's rendered text until it matches. */
export async function expectText(locator: Locator, pattern: RegExp) {
  await expect.poll(() => locator.innerText(), { message: `text matching ${pattern}` }).toMatch(pattern);
}

/**
 * Console messages that are not about our plugin. Everything else logged as an error, and every
 * uncaught exception, fails the test.
 */
function isKnownNoise(text: string, url: string): boolean {
  // @grafana/ui's global styles load Inter (and Roboto Mono) from public/fonts/*, which are part of
  // Grafana's frontend build, not of @grafana/ui on npm; the plugin host serves no Grafana frontend
  // assets. Text falls back to the system fonts; nothing of the plugin is involved.
  if (text.startsWith('Failed to load resource') && new URL(url, 'http://x').pathname.startsWith('/public/fonts/')) {
    return true;
  }
  // @grafana/ui's react-table Table (the `Table` npm ships, which the host's dashboard view draws
  // tables with) spreads react-table's cell props, `key` included, into its BarGaugeCell's <div>;
  // React 19 warns. Grafana 13's table panel draws with its newer table instead. The shape of the
  // props is that cell's exactly (the plugin renders no such element).
  // React 18 prefixes its warnings with "Warning: ".
  return (
    text.replace(/^Warning: /, '').startsWith('A props object containing a "key" prop is being spread into JSX') &&
    text.includes('{key: someKey, role: ..., style: ..., className: ..., onClick: ..., children: ...} div')
  );
}

interface Options {
  /** The Grafana frontend generation of the project (playwright.config.ts): which host page to open. */
  generation: GenerationName;
}

interface Fixtures {
  harness: HarnessInfo;
  truth: Truth;
  /** The demo data's time span, padded by a minute on each side, as epoch milliseconds. */
  timeRange: { from: number; to: number };
  host: HostPage;
  failOnPageErrors: void;
}

export const test = base.extend<Fixtures & Options>({
  generation: ['grafana13', { option: true }],
  harness: async ({ generation }, use) => use(harnessFor(readHarness(), generation)),
  truth: async ({ harness }, use) => use(readTruth(harness)),
  timeRange: async ({ truth }, use) =>
    use({ from: Date.parse(truth.first) - 60_000, to: Date.parse(truth.last) + 60_000 }),
  host: async ({ page, harness }, use) => use(new HostPage(page, harness)),
  failOnPageErrors: [
    async ({ page, generation }, use, testInfo) => {
      // A reviewed incompatibility of the plugin with this generation runs as an expected failure.
      const gap = knownGap(generation, testInfo.file, testInfo.title);
      if (gap) {
        testInfo.fail(true, `known gap on ${generation}: ${gap.reason}`);
        // An action waiting for what the generation cannot show must fail before the test times out:
        // Playwright counts a timed-out test as a failure even when it is expected to fail.
        page.setDefaultTimeout(15_000);
      }
      const problems: string[] = [];
      const warnings: string[] = [];
      page.on('pageerror', (error) => problems.push(`page error: ${error.stack ?? error.message}`));
      page.on('console', (message) => {
        const where = message.location().url;
        if (message.type() === 'error' && !isKnownNoise(message.text(), where)) {
          problems.push(`console.error: ${message.text()} (${where})`);
        } else if (message.type() === 'warning') {
          warnings.push(`console.warn: ${message.text()} (${where})`);
        }
      });
      await use();
      // Warnings do not fail a test but are kept with it, to be read when something looks off.
      if (warnings.length > 0) {
        await testInfo.attach('console warnings', { body: warnings.join('\n'), contentType: 'text/plain' });
      }
      expect(problems, 'errors logged in the page').toEqual([]);
    },
    { auto: true },
  ],
});
