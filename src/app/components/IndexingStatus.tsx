import React, { useEffect, useState } from 'react';
import { css } from '@emotion/css';
import { type GrafanaTheme2, VizOrientation } from '@grafana/data';
import { BarGaugeDisplayMode } from '@grafana/schema';
import { BarGauge, Stack, Text, useStyles2, useTheme2 } from '@grafana/ui';

import { requestErrorMessage, resource } from '../api';
import { formatBytes, type IndexStatus, parseStatus, scanProgress } from '../status';

/** How often the status is read again while the first scan runs. */
const POLL_MS = 2000;

/** Index state from the data source's `status` resource: a progress bar while the first scan runs. */
export function IndexingStatus({ uid }: { uid: string }) {
  const styles = useStyles2(getStyles);
  const theme = useTheme2();
  const [status, setStatus] = useState<IndexStatus>();
  const [error, setError] = useState<string>();

  useEffect(() => {
    let cancelled = false;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const load = () =>
      resource<unknown>(uid, 'status').then(
        (body) => {
          if (cancelled) {
            return;
          }
          const next = parseStatus(body);
          setStatus(next);
          setError(undefined);
          if (!next.firstScan.done) {
            timer = setTimeout(load, POLL_MS);
          }
        },
        (failure: unknown) => !cancelled && setError(requestErrorMessage(failure))
      );
    load();
    return () => {
      cancelled = true;
      clearTimeout(timer);
    };
  }, [uid]);

  if (error) {
    // Older backends have no status resource; the health card above still reports what was found.
    return (
      <Text color="secondary" variant="bodySmall">
        Index status not available: {error}
      </Text>
    );
  }
  if (!status) {
    return null;
  }
  const progress = scanProgress(status);
  return (
    <section className={styles.box} aria-label="Index">
      <Stack direction="column" gap={1}>
        <Text element="h3" variant="h5">
          Index
        </Text>
        {!status.firstScan.done && (
          <div aria-label="First scan progress" data-testid="apifw-scan-progress">
            <Text color="secondary">
              Reading the logs for the first time: {formatBytes(status.firstScan.bytesRead)} of{' '}
              {formatBytes(status.firstScan.bytesTotal)}
              {status.pendingFiles > 0 ? `, ${status.pendingFiles} files to go` : ''}. Queries answer from what is read
              so far.
            </Text>
            <BarGauge
              theme={theme}
              width={320}
              height={24}
              orientation={VizOrientation.Horizontal}
              displayMode={BarGaugeDisplayMode.Basic}
              field={{ min: 0, max: 100, unit: 'percent' }}
              value={{
                numeric: progress * 100,
                text: `${Math.floor(progress * 100)}`,
                suffix: '%',
                color: theme.colors.primary.main,
                title: '',
              }}
              showUnfilled
            />
          </div>
        )}
        <div className={styles.facts}>
          <Fact label="Records in the index" value={status.records.toLocaleString('en-US')} />
          <Fact
            label="Memory"
            value={`${formatBytes(status.memoryBytes)}${status.bytesPerRecord ? ` (${status.bytesPerRecord.toFixed(0)} B per record)` : ''}`}
          />
          <Fact label="Deletions" value={status.deletions.toLocaleString('en-US')} />
          {status.reports.map(([name, count]) => (
            <Fact key={name} label={`Reports: ${name}`} value={count.toLocaleString('en-US')} />
          ))}
        </div>
        {status.error && <Text color="error">{status.error}</Text>}
      </Stack>
    </section>
  );
}

function Fact({ label, value }: { label: string; value: string }) {
  const styles = useStyles2(getStyles);
  return (
    <div className={styles.fact}>
      <Text variant="bodySmall" color="secondary">
        {label}
      </Text>
      <Text>{value}</Text>
    </div>
  );
}

const getStyles = (theme: GrafanaTheme2) => ({
  box: css({
    padding: theme.spacing(2),
    border: `1px solid ${theme.colors.border.weak}`,
    borderRadius: theme.shape.radius.default,
    background: theme.colors.background.secondary,
  }),
  facts: css({ display: 'flex', flexWrap: 'wrap', gap: theme.spacing(1, 3) }),
  fact: css({ display: 'flex', flexDirection: 'column' }),
});
