import { existsSync } from 'node:fs';
import { rm } from 'node:fs/promises';

import { HARNESS_FILE, readHarness, runCleanups } from './harness';
import { stopProcessGroup } from './processes';

/** Stops what global setup started: the host page servers, the plugin host, and removes the demo data. */
export default async function globalTeardown() {
  await runCleanups();
  if (!existsSync(HARNESS_FILE)) {
    return;
  }
  const harness = readHarness();
  await stopProcessGroup(harness.pluginHostPid);
  await rm(harness.tempDir, { recursive: true, force: true });
}
