import React, { useMemo } from 'react';
import { css } from '@emotion/css';
import { dateTimeFormat, type GrafanaTheme2 } from '@grafana/data';
import {
  Alert,
  Badge,
  ClipboardButton,
  Icon,
  InteractiveTable,
  LinkButton,
  Stack,
  Text,
  Tooltip,
  useStyles2,
  useTheme2,
} from '@grafana/ui';

import { traceExplorerUrl } from '../explorerUrl';
import { outcomeBadgeColor, outcomeColor, outcomeLabel } from '../outcomes';
import {
  clientLocation,
  clientNetwork,
  formatDurationUs,
  type NameValue,
  timelineLayout,
  type TraceStep,
  type TraceView,
} from './model';

interface TransactionDetailProps {
  trace: TraceView;
  /** Show the "Open in trace explorer" link (the explorer itself does not need it). */
  showExplorerLink?: boolean;
  timeZone?: string;
  /** Narrow layout: one column for the summary. */
  compact?: boolean;
}

/**
 * Everything about one transaction: summary, processing steps on a timeline (the failing step
 * marked), headers and parameters (secrets masked), errors and unknown fields. Never bodies.
 * Shared by the trace panel and the trace explorer page. Every string shown is log content and is
 * rendered as a text node only.
 */
export function TransactionDetail({
  trace,
  showExplorerLink = false,
  timeZone,
  compact = false,
}: TransactionDetailProps) {
  const styles = useStyles2(getStyles);
  const { summary } = trace;
  const blocked = summary.outcome === 'blocked' || summary.outcome === 'wouldBlock';

  return (
    <div className={styles.container} data-testid="apifw-transaction-detail">
      <div className={styles.header}>
        <div className={styles.requestLine}>
          <Badge color={outcomeBadgeColor(summary.outcome)} text={outcomeLabel(summary.outcome)} />
          {summary.status !== undefined && <span className={styles.status}>{summary.status}</span>}
          <span className={styles.method}>{summary.method}</span>
          <span className={styles.mono} data-testid="apifw-trace-path">
            {summary.path}
            {summary.query ? `?${summary.query}` : ''}
          </span>
        </div>
        <Stack direction="row" gap={1} wrap="wrap">
          <ClipboardButton
            size="sm"
            variant="secondary"
            icon="copy"
            getText={() => summary.uuid}
            aria-label="Copy UUID"
          >
            Copy UUID
          </ClipboardButton>
          {showExplorerLink && (
            <LinkButton
              size="sm"
              variant="secondary"
              icon="external-link-alt"
              href={traceExplorerUrl({ uuid: summary.uuid })}
            >
              Open in trace explorer
            </LinkButton>
          )}
        </Stack>
      </div>

      {blocked && (summary.reason || summary.errorMessage) && (
        <Alert
          severity={summary.outcome === 'blocked' ? 'error' : 'warning'}
          title={`${summary.outcome === 'blocked' ? 'Blocked' : 'Would have been blocked'}${
            summary.errorStep ? ` at ${summary.errorStep}` : ''
          }`}
        >
          <span className={styles.breakAll}>{summary.reason || summary.errorMessage}</span>
        </Alert>
      )}

      {trace.detailError && (
        <Alert severity="warning" title="Details not available">
          <span className={styles.breakAll}>{trace.detailError}</span>
        </Alert>
      )}

      <Section title="Summary">
        <SummaryGrid trace={trace} timeZone={timeZone} compact={compact} />
      </Section>

      <Section title={`Processing steps (${trace.steps.length})`}>
        {trace.steps.length === 0 ? (
          <Text color="secondary">No steps recorded.</Text>
        ) : (
          <StepTimeline steps={trace.steps} transaction={summary} />
        )}
      </Section>

      {trace.errors.length > 0 && (
        <Section title={`Errors (${trace.errors.length})`}>
          <ul className={styles.errorList} aria-label="Errors">
            {trace.errors.map((error, index) => (
              <li key={index} className={styles.errorItem}>
                <span className={styles.stepName}>{error.step || '—'}</span>
                <span className={styles.breakAll}>{error.message}</span>
                {error.extra.length > 0 && (
                  <Text variant="bodySmall" color="secondary">
                    {error.extra.map((extra) => `${extra.name}: ${extra.value}`).join(' · ')}
                  </Text>
                )}
              </li>
            ))}
          </ul>
        </Section>
      )}

      <div className={compact ? styles.oneColumn : styles.twoColumns}>
        <NameValueSection title="Request headers" rows={trace.requestHeaders} />
        <NameValueSection title="Response headers" rows={trace.responseHeaders} />
        <NameValueSection title="Path parameters" rows={trace.pathParams} />
        <NameValueSection title="Query parameters" rows={trace.queryParams} />
      </div>
      {trace.customFields.length > 0 && <NameValueSection title="Custom fields" rows={trace.customFields} />}
      {trace.unknownFields.length > 0 && <NameValueSection title="Unknown fields" rows={trace.unknownFields} />}
      <Text variant="bodySmall" color="secondary">
        Request and response bodies are never read or shown. Secret header values are masked.
      </Text>
    </div>
  );
}

function Section({ title, children }: React.PropsWithChildren<{ title: string }>) {
  const styles = useStyles2(getStyles);
  return (
    <section className={styles.section} aria-label={title}>
      <h4 className={styles.sectionTitle}>{title}</h4>
      {children}
    </section>
  );
}

function SummaryGrid({ trace, timeZone, compact }: { trace: TraceView; timeZone?: string; compact: boolean }) {
  const styles = useStyles2(getStyles);
  const { summary } = trace;
  const items: Array<[string, string]> = [
    ['UUID', summary.uuid],
    [
      'Time',
      summary.time === undefined ? '—' : dateTimeFormat(summary.time, { timeZone, format: 'YYYY-MM-DD HH:mm:ss.SSS' }),
    ],
    ['Method', summary.method],
    ['Path', summary.path],
    ['Query', summary.query],
    ['Operation', summary.operation],
    ['Client', summary.clientPort ? `${summary.clientIp} port ${summary.clientPort}` : summary.clientIp],
    ['Client location', clientLocation(summary)],
    ['Client network', clientNetwork(summary)],
    ['Instance', summary.instance],
    ['Hostname', summary.hostname],
    ['API', summary.apiName && summary.apiName !== summary.api ? `${summary.apiName} (${summary.api})` : summary.api],
    ['Status', summary.status === undefined ? '—' : String(summary.status)],
    ['Outcome', outcomeLabel(summary.outcome)],
    ['Reason', summary.reason || summary.errorMessage],
    ['Failing step', summary.errorStep],
    [
      'Mode',
      summary.nonBlocking === undefined
        ? ''
        : summary.nonBlocking
          ? 'monitoring (non-blocking)'
          : `blocking${summary.blockingLevel !== undefined ? `, level ${summary.blockingLevel}` : ''}`,
    ],
    ['Duration', formatDurationUs(summary.durationUs)],
  ];
  return (
    <dl className={compact ? styles.summaryCompact : styles.summary} aria-label="Transaction summary">
      {items
        .filter(([, value]) => value !== '')
        .map(([label, value]) => (
          <div key={label} className={styles.summaryItem}>
            <dt className={styles.summaryLabel}>{label}</dt>
            <dd className={styles.summaryValue}>{value}</dd>
          </div>
        ))}
    </dl>
  );
}

function StepTimeline({
  steps,
  transaction,
}: {
  steps: TraceStep[];
  transaction: { time?: number; durationUs?: number };
}) {
  const styles = useStyles2(getStyles);
  const theme = useTheme2();
  const bars = useMemo(() => timelineLayout(steps, transaction), [steps, transaction]);
  const ok = theme.colors.primary.main;
  const failed = outcomeColor(theme, 'blocked');

  return (
    <ol className={styles.timeline} aria-label="Processing steps">
      {steps.map((step, index) => {
        const bar = bars[index];
        return (
          <li
            key={index}
            className={step.failed ? `${styles.stepRow} ${styles.stepFailed}` : styles.stepRow}
            data-failed={step.failed ? 'true' : undefined}
          >
            <span className={styles.stepName} style={{ paddingLeft: theme.spacing(Math.min(step.depth, 6) * 1.5) }}>
              {step.failed && (
                <Tooltip content="This step failed">
                  <Icon name="exclamation-triangle" className={styles.failedIcon} aria-label="failed step" />
                </Tooltip>
              )}
              {step.step}
            </span>
            <span className={styles.track} aria-hidden>
              {bar.offset !== undefined && (
                <span
                  className={styles.bar}
                  style={{
                    left: `${bar.offset * 100}%`,
                    width: `${(bar.width ?? 0) * 100}%`,
                    background: step.failed ? failed : ok,
                  }}
                />
              )}
            </span>
            <span className={styles.stepDuration}>{formatDurationUs(step.durationUs)}</span>
            {step.failed && step.message && <span className={styles.stepMessage}>{step.message}</span>}
          </li>
        );
      })}
    </ol>
  );
}

function NameValueSection({ title, rows }: { title: string; rows: NameValue[] }) {
  const styles = useStyles2(getStyles);
  const data = useMemo(() => rows.map((row, index) => ({ ...row, id: String(index) })), [rows]);
  const columns = useMemo(
    () => [
      {
        id: 'name',
        header: 'Name',
        cell: ({ row }: { row: { original: NameValue } }) => (
          <span className={styles.cellName}>{row.original.name}</span>
        ),
      },
      {
        id: 'value',
        header: 'Value',
        cell: ({ row }: { row: { original: NameValue } }) => (
          <span className={styles.cellValue}>{row.original.value}</span>
        ),
      },
    ],
    [styles]
  );
  return (
    <Section title={`${title} (${rows.length})`}>
      {rows.length === 0 ? (
        <Text color="secondary">None.</Text>
      ) : (
        <div className={styles.tableWrap}>
          <InteractiveTable columns={columns} data={data} getRowId={(row) => row.id} />
        </div>
      )}
    </Section>
  );
}

const getStyles = (theme: GrafanaTheme2) => ({
  container: css({
    display: 'flex',
    flexDirection: 'column',
    gap: theme.spacing(2),
    minWidth: 0,
    maxWidth: '100%',
    color: theme.colors.text.primary,
  }),
  header: css({
    display: 'flex',
    flexWrap: 'wrap',
    justifyContent: 'space-between',
    alignItems: 'center',
    gap: theme.spacing(1),
    minWidth: 0,
  }),
  requestLine: css({
    display: 'flex',
    alignItems: 'center',
    gap: theme.spacing(1),
    minWidth: 0,
    flex: '1 1 200px',
    ...theme.typography.h5,
    margin: 0,
  }),
  status: css({ fontFamily: theme.typography.fontFamilyMonospace }),
  method: css({ fontWeight: theme.typography.fontWeightBold, flexShrink: 0 }),
  mono: css({
    fontFamily: theme.typography.fontFamilyMonospace,
    overflowWrap: 'anywhere',
    minWidth: 0,
    maxHeight: theme.spacing(12),
    overflow: 'auto',
  }),
  // Log text can be 10 000 characters without a space: wrap anywhere and cap the height.
  breakAll: css({ overflowWrap: 'anywhere', display: 'block', maxHeight: theme.spacing(12), overflowY: 'auto' }),
  section: css({ display: 'flex', flexDirection: 'column', gap: theme.spacing(1), minWidth: 0 }),
  sectionTitle: css({ ...theme.typography.h6, margin: 0 }),
  summary: css({
    display: 'grid',
    gridTemplateColumns: 'repeat(auto-fill, minmax(220px, 1fr))',
    gap: theme.spacing(1, 2),
    margin: 0,
  }),
  summaryCompact: css({
    display: 'grid',
    gridTemplateColumns: 'minmax(0, 1fr)',
    gap: theme.spacing(0.5),
    margin: 0,
  }),
  summaryItem: css({ minWidth: 0 }),
  summaryLabel: css({ color: theme.colors.text.secondary, fontSize: theme.typography.bodySmall.fontSize }),
  summaryValue: css({
    margin: 0,
    fontFamily: theme.typography.fontFamilyMonospace,
    overflowWrap: 'anywhere',
    maxHeight: theme.spacing(12),
    overflow: 'auto',
  }),
  timeline: css({
    listStyle: 'none',
    margin: 0,
    padding: 0,
    display: 'flex',
    flexDirection: 'column',
    gap: theme.spacing(0.5),
  }),
  stepRow: css({
    display: 'grid',
    gridTemplateColumns: 'minmax(0, 2fr) minmax(60px, 3fr) auto',
    alignItems: 'center',
    gap: theme.spacing(1),
    padding: theme.spacing(0.25, 0.5),
    borderRadius: theme.shape.radius.default,
    fontSize: theme.typography.bodySmall.fontSize,
  }),
  stepFailed: css({
    background: theme.colors.error.transparent,
    border: `1px solid ${theme.colors.error.border}`,
  }),
  failedIcon: css({ color: theme.colors.error.text, marginRight: theme.spacing(0.5) }),
  stepName: css({
    fontFamily: theme.typography.fontFamilyMonospace,
    overflowWrap: 'anywhere',
    minWidth: 0,
    maxHeight: theme.spacing(9),
    overflowY: 'auto',
  }),
  track: css({
    position: 'relative',
    height: theme.spacing(1),
    background: theme.colors.background.secondary,
    borderRadius: theme.shape.radius.default,
    overflow: 'hidden',
  }),
  bar: css({ position: 'absolute', top: 0, bottom: 0, borderRadius: theme.shape.radius.default }),
  stepDuration: css({ fontFamily: theme.typography.fontFamilyMonospace, whiteSpace: 'nowrap' }),
  stepMessage: css({
    gridColumn: '1 / -1',
    color: theme.colors.error.text,
    overflowWrap: 'anywhere',
    maxHeight: theme.spacing(9),
    overflowY: 'auto',
  }),
  errorList: css({
    listStyle: 'none',
    margin: 0,
    padding: 0,
    display: 'flex',
    flexDirection: 'column',
    gap: theme.spacing(0.5),
  }),
  errorItem: css({ display: 'flex', flexDirection: 'column', minWidth: 0 }),
  twoColumns: css({
    display: 'grid',
    gridTemplateColumns: 'repeat(auto-fit, minmax(min(100%, 320px), 1fr))',
    gap: theme.spacing(2),
  }),
  oneColumn: css({ display: 'grid', gridTemplateColumns: 'minmax(0, 1fr)', gap: theme.spacing(2) }),
  tableWrap: css({
    minWidth: 0,
    maxWidth: '100%',
    overflowX: 'hidden',
    table: { tableLayout: 'fixed', width: '100%' },
  }),
  cellName: css({ fontFamily: theme.typography.fontFamilyMonospace, overflowWrap: 'anywhere' }),
  cellValue: css({
    fontFamily: theme.typography.fontFamilyMonospace,
    overflowWrap: 'anywhere',
    display: 'block',
    maxHeight: theme.spacing(12),
    overflow: 'auto',
  }),
});
