import React, { useEffect, useMemo, useState } from 'react';
import { css } from '@emotion/css';
import { dateTimeFormat, dateTimeFormatTimeAgo, type GrafanaTheme2, type TimeRange } from '@grafana/data';
import { PluginPage } from '@grafana/runtime';
import {
  Alert,
  Badge,
  Field,
  Input,
  InteractiveTable,
  LoadingPlaceholder,
  Stack,
  Text,
  TimeRangeInput,
  Tooltip,
  useStyles2,
} from '@grafana/ui';
import type { CellProps } from 'react-table';

import { runQuery } from '../../api';
import { useDataSourceUid } from '../../useDataSourceUid';
import { explorerTimeRange } from '../traceExplorer/model';
import { DEFAULT_SILENT_AFTER, type InstanceRow, instanceRows, isGoDuration, logSource } from './model';

type Cell = CellProps<InstanceRow & { id: string }>;
type Load = { state: 'loading' } | { state: 'error'; message: string } | { state: 'done'; rows: InstanceRow[] };

const LOADING: Load = { state: 'loading' };

/** Firewall instances: what they protect, when they were last heard from, and which went silent. */
export function InstancesPage() {
  const styles = useStyles2(getStyles);
  const uid = useDataSourceUid();
  const [silentAfter, setSilentAfter] = useState(DEFAULT_SILENT_AFTER);
  const [silentText, setSilentText] = useState(DEFAULT_SILENT_AFTER);
  const [range, setRange] = useState<TimeRange>(() => explorerTimeRange({}));
  const [answer, setAnswer] = useState<{ key: unknown[]; load: Load }>();

  useEffect(() => {
    let cancelled = false;
    const key = [uid, silentAfter, range];
    runQuery(uid, { queryType: 'instances', silentAfter }, range).then(
      (frames) => !cancelled && setAnswer({ key, load: { state: 'done', rows: instanceRows(frames) } }),
      (error: unknown) =>
        !cancelled &&
        setAnswer({ key, load: { state: 'error', message: error instanceof Error ? error.message : String(error) } })
    );
    return () => {
      cancelled = true;
    };
  }, [uid, silentAfter, range]);
  const current = answer && answer.key[0] === uid && answer.key[1] === silentAfter && answer.key[2] === range;
  const load: Load = current ? answer.load : LOADING;

  const data = useMemo(() => (load.state === 'done' ? load.rows.map((row) => ({ ...row, id: row.name })) : []), [load]);
  const columns = useMemo(
    () => [
      {
        id: 'name',
        header: 'Instance',
        cell: ({ row }: Cell) => (
          <Stack direction="row" gap={1} alignItems="center">
            <span className={styles.mono}>{row.original.name}</span>
            {row.original.silent ? (
              <Badge color="orange" icon="exclamation-triangle" text="Silent" />
            ) : (
              <Badge color="green" text="Active" />
            )}
          </Stack>
        ),
      },
      {
        id: 'hostnames',
        header: 'Hostnames',
        cell: ({ row }: Cell) => <span className={styles.text}>{row.original.hostnames.join(', ')}</span>,
      },
      {
        id: 'apis',
        header: 'APIs protected',
        cell: ({ row }: Cell) => <span className={styles.text}>{row.original.apis.join(', ')}</span>,
      },
      {
        id: 'firstSeen',
        header: 'First seen',
        cell: ({ row }: Cell) => (
          <span className={styles.nowrap}>{row.original.firstSeen ? dateTimeFormat(row.original.firstSeen) : '—'}</span>
        ),
      },
      {
        id: 'lastSeen',
        header: 'Last seen',
        cell: ({ row }: Cell) =>
          row.original.lastSeen ? (
            <Tooltip content={dateTimeFormat(row.original.lastSeen)}>
              <span className={styles.nowrap}>{dateTimeFormatTimeAgo(row.original.lastSeen)}</span>
            </Tooltip>
          ) : (
            '—'
          ),
      },
      {
        id: 'records',
        header: 'Records in range',
        cell: ({ row }: Cell) => <span>{row.original.records.toLocaleString('en-US')}</span>,
      },
      {
        id: 'logFiles',
        header: 'Log source',
        cell: ({ row }: Cell) => (
          <Tooltip content={<div className={styles.tooltipList}>{row.original.logFiles.slice(0, 20).join('\n')}</div>}>
            <span className={styles.text}>{logSource(row.original.logFiles)}</span>
          </Tooltip>
        ),
      },
    ],
    [styles]
  );

  const silentCount = load.state === 'done' ? load.rows.filter((row) => row.silent).length : 0;
  const silentValid = isGoDuration(silentText);

  return (
    <PluginPage>
      <Stack direction="column" gap={2}>
        <Text color="secondary">
          Every firewall instance found in the logs, with the APIs it protects and when it was last heard from. An
          instance is silent when nothing arrived from it for longer than the time set here.
        </Text>
        <Stack direction="row" gap={2} wrap="wrap" alignItems="flex-end">
          <Field
            label="Silent after"
            noMargin
            invalid={!silentValid}
            error={silentValid ? undefined : 'A duration such as 15m, 1h or 90s'}
          >
            <Input
              aria-label="Silent after"
              width={12}
              value={silentText}
              onChange={(event) => setSilentText(event.currentTarget.value)}
              onBlur={() => silentValid && setSilentAfter(silentText.trim())}
              onKeyDown={(event) => event.key === 'Enter' && silentValid && setSilentAfter(silentText.trim())}
            />
          </Field>
          <Field label="Records counted in" noMargin>
            <TimeRangeInput value={range} onChange={setRange} hideTimeZone />
          </Field>
        </Stack>
        {load.state === 'loading' ? (
          <LoadingPlaceholder text="Loading instances…" />
        ) : load.state === 'error' ? (
          <Alert severity="error" title="Could not list the instances">
            {load.message}
          </Alert>
        ) : load.rows.length === 0 ? (
          <Alert severity="info" title="No firewall instances yet">
            No transaction record has been read yet: check the log directories on the Home page.
          </Alert>
        ) : (
          <>
            {silentCount > 0 && (
              <Alert severity="warning" title={`${silentCount} of ${load.rows.length} instances are silent`}>
                No logs arrived from them for more than {silentAfter}.
              </Alert>
            )}
            <div className={styles.wrap} data-testid="apifw-instances">
              <InteractiveTable columns={columns} data={data} getRowId={(row) => row.id} pageSize={25} />
            </div>
          </>
        )}
      </Stack>
    </PluginPage>
  );
}

const getStyles = (theme: GrafanaTheme2) => ({
  wrap: css({ width: '100%', maxWidth: '100%', overflowX: 'auto' }),
  mono: css({ fontFamily: theme.typography.fontFamilyMonospace, overflowWrap: 'anywhere' }),
  nowrap: css({ whiteSpace: 'nowrap' }),
  text: css({ overflowWrap: 'anywhere', fontSize: theme.typography.bodySmall.fontSize }),
  tooltipList: css({ whiteSpace: 'pre-wrap', overflowWrap: 'anywhere' }),
});

export default InstancesPage;
