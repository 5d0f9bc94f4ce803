/**
 * Stops a process group started with `detached: true`: SIGTERM first, so the plugin host can stop
 * the plugin backend cleanly, then SIGKILL if it hangs.
 */
export async function stopProcessGroup(pid: number, graceMs = 25_000): Promise<void> {
  if (!signalGroup(pid, 'SIGTERM')) {
    return;
  }
  const deadline = Date.now() + graceMs;
  while (Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 200));
    if (!signalGroup(pid, 0)) {
      return;
    }
  }
  signalGroup(pid, 'SIGKILL');
}

/** Sends a signal to every process in the group; false when the group no longer exists. */
function signalGroup(pid: number, signal: NodeJS.Signals | 0): boolean {
  try {
    process.kill(-pid, signal);
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ESRCH') {
      return false;
    }
    throw error;
  }
}
