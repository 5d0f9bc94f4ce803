import { runCleanups } from './harness';

/**
 * Stops what this run's global setup started (registered with addCleanup, in this process): the
 * host page servers, the plugin host and its plugin backend, and removes the demo data.
 */
export default async function globalTeardown() {
  await runCleanups();
}
