import React, { useMemo } from 'react';
import { css } from '@emotion/css';
import { dateTimeFormat, type GrafanaTheme2 } from '@grafana/data';
import { Badge, Button, InteractiveTable, useStyles2 } from '@grafana/ui';
import type { CellProps } from 'react-table';

import { outcomeBadgeColor, outcomeLabel } from 'shared/outcomes';
import { formatDurationUs } from 'shared/trace/model';
import type { TransactionRow } from '../pages/traceExplorer/model';

interface TransactionsTableProps {
  rows: TransactionRow[];
  onOpen: (uuid: string) => void;
  timeZone?: string;
}

type Cell = CellProps<TransactionRow & { id: string }>;

/** The explorer's list of transactions; every value is log content, shown as text. */
export function TransactionsTable({ rows, onOpen, timeZone }: TransactionsTableProps) {
  const styles = useStyles2(getStyles);
  const data = useMemo(() => rows.map((row, index) => ({ ...row, id: `${index}-${row.uuid}` })), [rows]);
  const columns = useMemo(
    () => [
      {
        id: 'uuid',
        header: 'Transaction',
        cell: ({ row }: Cell) => (
          <Button
            size="sm"
            fill="text"
            icon="eye"
            onClick={() => onOpen(row.original.uuid)}
            aria-label={`Open transaction ${row.original.uuid}`}
            tooltip={row.original.uuid}
          >
            {row.original.uuid.slice(0, 8)}
          </Button>
        ),
      },
      {
        id: 'time',
        header: 'Time',
        cell: ({ row }: Cell) => (
          <span className={styles.nowrap}>
            {row.original.time === undefined
              ? '—'
              : dateTimeFormat(row.original.time, { timeZone, format: 'MM-DD HH:mm:ss' })}
          </span>
        ),
      },
      {
        id: 'outcome',
        header: 'Outcome',
        cell: ({ row }: Cell) => (
          <Badge color={outcomeBadgeColor(row.original.outcome)} text={outcomeLabel(row.original.outcome)} />
        ),
      },
      {
        id: 'status',
        header: 'Status',
        cell: ({ row }: Cell) => <span className={styles.mono}>{row.original.status ?? '—'}</span>,
      },
      {
        id: 'method',
        header: 'Method',
        cell: ({ row }: Cell) => <span className={styles.mono}>{row.original.method}</span>,
      },
      { id: 'path', header: 'Path', cell: ({ row }: Cell) => <span className={styles.text}>{row.original.path}</span> },
      {
        id: 'clientIp',
        header: 'Client',
        cell: ({ row }: Cell) => <span className={styles.text}>{row.original.clientIp}</span>,
      },
      {
        id: 'instance',
        header: 'Instance',
        cell: ({ row }: Cell) => (
          <span className={styles.text}>
            {row.original.instance}
            {row.original.hostname && row.original.hostname !== row.original.instance
              ? ` (${row.original.hostname})`
              : ''}
          </span>
        ),
      },
      {
        id: 'api',
        header: 'API',
        cell: ({ row }: Cell) => <span className={styles.text}>{row.original.apiName || row.original.api}</span>,
      },
      {
        id: 'duration',
        header: 'Duration',
        cell: ({ row }: Cell) => <span className={styles.nowrap}>{formatDurationUs(row.original.duration)}</span>,
      },
      {
        id: 'reason',
        header: 'Why',
        cell: ({ row }: Cell) => (
          <span className={styles.text}>
            {row.original.errorStep ? `${row.original.errorStep}: ` : ''}
            {row.original.reason}
          </span>
        ),
      },
    ],
    [onOpen, styles, timeZone]
  );
  return (
    <div className={styles.wrap} data-testid="apifw-transactions">
      <InteractiveTable columns={columns} data={data} getRowId={(row) => row.id} pageSize={25} />
    </div>
  );
}

const getStyles = (theme: GrafanaTheme2) => ({
  wrap: css({ width: '100%', maxWidth: '100%', overflowX: 'auto' }),
  mono: css({ fontFamily: theme.typography.fontFamilyMonospace }),
  nowrap: css({ whiteSpace: 'nowrap' }),
  text: css({
    fontFamily: theme.typography.fontFamilyMonospace,
    fontSize: theme.typography.bodySmall.fontSize,
    overflowWrap: 'anywhere',
    display: '-webkit-box',
    WebkitLineClamp: 3,
    WebkitBoxOrient: 'vertical',
    overflow: 'hidden',
    minWidth: theme.spacing(8),
    maxWidth: theme.spacing(40),
  }),
});
