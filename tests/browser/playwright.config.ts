import { defineConfig } from '@playwright/test';
import path from 'node:path';

const repoRoot = path.resolve(__dirname, '..', '..');

/**
 * Browser tests of the built plugin in Debian's headless chromium, against a real Grafana backend
 * (see README.md). Run from the repository root:
 *   npx playwright test -c tests/browser/playwright.config.ts
 */
export default defineConfig({
  testDir: __dirname,
  testMatch: '*.spec.ts',
  outputDir: path.join(repoRoot, 'test-results', 'browser'),
  globalSetup: path.join(__dirname, 'global-setup.ts'),
  globalTeardown: path.join(__dirname, 'global-teardown.ts'),
  // One Grafana and one host server for the whole run; the specs are cheap, parallelism is not needed.
  workers: 1,
  fullyParallel: false,
  forbidOnly: !!process.env.CI,
  retries: 0,
  // The first page load parses a large development bundle of @grafana/ui.
  timeout: 60_000,
  expect: { timeout: 15_000 },
  reporter: [
    ['list'],
    ['html', { outputFolder: path.join(repoRoot, 'test-results', 'browser-report'), open: 'never' }],
  ],
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
  projects: [{ name: 'chromium', use: { browserName: 'chromium' } }],
});
