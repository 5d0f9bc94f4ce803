import { defineConfig } from '@playwright/test';
import path from 'node:path';

import type { GenerationName } from './generations';
import { OUTPUT_DIR } from './harness';

/**
 * Browser tests of the built plugin in Debian's headless chromium, against the plugin host
 * (cmd/apifw-host) running the real backend (see README.md). One project per Grafana frontend
 * generation: `grafana13` (@grafana/* 13.2, React 19) and `grafana12` (@grafana/* 12.4, React 18,
 * the oldest grafanaDependency). Run from the repository root:
 *   npx playwright test -c tests/browser/playwright.config.ts [--project grafana12]
 */
export default defineConfig<{ generation: GenerationName }>({
  testDir: __dirname,
  testMatch: '*.spec.ts',
  outputDir: OUTPUT_DIR,
  globalSetup: path.join(__dirname, 'global-setup.ts'),
  globalTeardown: path.join(__dirname, 'global-teardown.ts'),
  // One plugin host for the whole run; specs change shared state (hostile.spec.ts adds a data source).
  workers: 2,
  fullyParallel: false,
  forbidOnly: !!process.env.CI,
  retries: 0,
  // The first page load parses a large development bundle of @grafana/ui.
  timeout: 60_000,
  expect: { timeout: 15_000 },
  reporter: [['list'], ['html', { outputFolder: `${OUTPUT_DIR}-report`, open: 'never' }]],
  use: {
    screenshot: 'on',
    trace: 'retain-on-failure',
    // Playwright cannot download its own browsers here; Debian's chromium is used instead.
    launchOptions: {
      executablePath: process.env.CHROMIUM_PATH || '/usr/bin/chromium',
      args: [
        '--headless',
        '--no-sandbox',
        '--disable-gpu',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
        '--no-first-run',
        '--disable-quic',
      ],
    },
  },
  projects: [
    { name: 'grafana13', use: { browserName: 'chromium', generation: 'grafana13' } },
    {
      name: 'grafana12',
      use: { browserName: 'chromium', generation: 'grafana12' },
      // Every panel, page, editor and dashboard spec. preview.spec.ts tests the host's own preview
      // pages (no plugin module beyond what the others load), on 13 only unless APIFW_FULL_MATRIX=1.
      testIgnore: process.env.APIFW_FULL_MATRIX === '1' ? [] : ['preview.spec.ts'],
    },
  ],
});
