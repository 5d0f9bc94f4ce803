import { useCallback, useEffect, useState } from 'react';

import { checkDataSourceHealth, type HealthCheckResult } from './health';

interface HealthOutcome {
  requestKey: string;
  result: HealthCheckResult;
}

/** Runs the health check of one data source and re-runs it on demand. */
export function useDataSourceHealth(uid: string) {
  const [attempt, setAttempt] = useState(0);
  const [outcome, setOutcome] = useState<HealthOutcome>();
  // Results are tagged with the request that produced them, so a slow answer for an older
  // request is never shown as the current one.
  const requestKey = `${uid}#${attempt}`;

  useEffect(() => {
    let cancelled = false;
    checkDataSourceHealth(uid).then((result) => {
      if (!cancelled) {
        setOutcome({ requestKey, result });
      }
    });
    return () => {
      cancelled = true;
    };
  }, [uid, requestKey]);

  const recheck = useCallback(() => setAttempt((current) => current + 1), []);
  const current = outcome?.requestKey === requestKey ? outcome.result : undefined;

  return { loading: current === undefined, result: current, recheck };
}
