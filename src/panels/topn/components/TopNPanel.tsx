import React, { useCallback, useMemo, useRef } from 'react';
import { css, cx } from '@emotion/css';
import type { GrafanaTheme2, PanelProps } from '@grafana/data';
import { LegendDisplayMode } from '@grafana/schema';
import { locationService, PanelDataErrorView } from '@grafana/runtime';
import { Alert, Tooltip, useStyles2, useTheme2, VizLegend } from '@grafana/ui';
import { useVirtualizer } from '@tanstack/react-virtual';

import { OUTCOME_LABELS, OUTCOMES, outcomeColor } from 'shared/outcomes';
import { applyClickTarget, clickTarget, linkContext } from '../clickAction';
import type { TopNPanelOptions } from '../types';
import {
  barSegments,
  buildTopNModel,
  isTopNFrame,
  normaliseOptions,
  rowDescription,
  type TopNRow,
  valueText,
} from '../viewModel';

export type TopNPanelProps = PanelProps<TopNPanelOptions>;

/** Below these sizes the panel switches to its compact layout (smaller rows, no legend, short numbers). */
const COMPACT_WIDTH = 420;
const COMPACT_HEIGHT = 220;
const LEGEND_HEIGHT = 28;

/**
 * Ranked horizontal bars of a topN frame, each split by outcome. Virtualised: only the rows in view
 * are in the DOM, so thousands of rows scroll smoothly. Values are log content: text nodes only.
 */
export function TopNPanel({
  data,
  options: rawOptions,
  width,
  height,
  timeRange,
  id,
  fieldConfig,
  replaceVariables,
}: TopNPanelProps) {
  const theme = useTheme2();
  const styles = useStyles2(getStyles);
  const options = useMemo(() => normaliseOptions(rawOptions), [rawOptions]);
  const frame = useMemo(() => data.series.find(isTopNFrame), [data.series]);
  const model = useMemo(() => buildTopNModel(frame, options), [frame, options]);
  const compact = width < COMPACT_WIDTH || height < COMPACT_HEIGHT;
  const showLegend = !compact && options.value === 'count';
  const rowHeight = compact ? 22 : 28;
  const listHeight = Math.max(0, height - (showLegend ? LEGEND_HEIGHT : 0));
  const scrollRef = useRef<HTMLDivElement>(null);

  // useVirtualizer returns fresh functions each render by design; the compiler skipping this component is expected.
  // eslint-disable-next-line react-hooks/incompatible-library
  const virtualizer = useVirtualizer({
    count: model?.rows.length ?? 0,
    getScrollElement: () => scrollRef.current,
    estimateSize: () => rowHeight,
    overscan: 8,
    initialRect: { width, height: listHeight },
  });

  const onRowClick = useCallback(
    (row: TopNRow) => {
      if (!model) {
        return;
      }
      // The first link on the dimension field carries the filters: the dashboard's own data link, else
      // the backend's (the query's filters). Interpolated first: a dashboard link's ${api:queryparam}
      // becomes the selected APIs; what only a clicked value gives (${__value.raw}) is left out.
      const link = frame?.fields.find((field) => field.name === model.dimension)?.config.links?.[0]?.url;
      const target = clickTarget(
        model.dimension,
        row,
        options,
        timeRange,
        linkContext(link ? replaceVariables(link) : undefined)
      );
      if (target) {
        applyClickTarget(target, locationService);
      }
    },
    [model, options, timeRange, frame, replaceVariables]
  );

  const errors = data.errors ?? [];
  if (errors.length > 0 && !model) {
    return (
      <div style={{ width, height, overflow: 'auto' }}>
        <Alert severity="error" title="The query failed">
          {errors.map((error, index) => (
            <div key={index}>{error.message ?? 'Unknown error'}</div>
          ))}
        </Alert>
      </div>
    );
  }
  if (!model || model.rows.length === 0) {
    return (
      <PanelDataErrorView
        panelId={id}
        fieldConfig={fieldConfig}
        data={data}
        message={
          data.series.length > 0 && !frame
            ? 'This panel shows the result of a Top N query: choose the "Top N" query type.'
            : 'No transactions match in this time range.'
        }
      />
    );
  }

  const labelWidth = compact ? Math.max(80, Math.floor(width * 0.38)) : Math.min(280, Math.floor(width * 0.32));
  const valueWidth = compact ? 52 : options.value === 'count' ? 120 : 72;
  const clickable = options.clickAction !== 'none';

  return (
    <div className={styles.wrapper} style={{ width, height }} data-testid="apifw-topn">
      <div
        ref={scrollRef}
        className={styles.scroll}
        style={{ height: listHeight }}
        role="list"
        aria-label={`Top ${model.dimension} values`}
      >
        <div style={{ height: virtualizer.getTotalSize(), position: 'relative', width: '100%' }}>
          {virtualizer.getVirtualItems().map((item) => {
            const row = model.rows[item.index];
            const segments = barSegments(row, options.value, options.value === 'blockedRatio' ? 1 : model.max);
            const canClick = clickable && !row.isOther;
            const content = (
              <>
                <span className={cx(styles.label, row.isOther && styles.other)} style={{ width: labelWidth }}>
                  {row.label === '' ? '(empty)' : row.label}
                </span>
                <span className={styles.track} aria-hidden>
                  {segments.map((segment) => (
                    <span
                      key={segment.outcome}
                      className={styles.segment}
                      data-outcome={segment.outcome}
                      style={{ width: `${segment.width * 100}%`, background: outcomeColor(theme, segment.outcome) }}
                    />
                  ))}
                </span>
                <span className={styles.value} style={{ width: valueWidth }}>
                  {valueText(row, options.value, compact)}
                </span>
              </>
            );
            return (
              <div
                key={item.key}
                role="listitem"
                className={styles.rowSlot}
                style={{ height: item.size, transform: `translateY(${item.start}px)` }}
                data-value={row.value}
              >
                <Tooltip content={rowDescription(row)} placement="top">
                  {canClick ? (
                    <button
                      type="button"
                      className={cx(styles.row, styles.clickable)}
                      onClick={() => onRowClick(row)}
                      aria-label={`${row.label}: ${rowDescription(row)}`}
                    >
                      {content}
                    </button>
                  ) : (
                    <div className={styles.row} aria-label={`${row.label}: ${rowDescription(row)}`}>
                      {content}
                    </div>
                  )}
                </Tooltip>
              </div>
            );
          })}
        </div>
      </div>
      {showLegend && (
        <div className={styles.legend}>
          <VizLegend
            placement="bottom"
            displayMode={LegendDisplayMode.List}
            readonly
            items={OUTCOMES.map((outcome) => ({
              label: OUTCOME_LABELS[outcome],
              color: outcomeColor(theme, outcome),
              yAxis: 1,
              getItemKey: () => outcome,
            }))}
          />
        </div>
      )}
    </div>
  );
}

const getStyles = (theme: GrafanaTheme2) => ({
  wrapper: css({
    // Panel content is laid out border-box whatever the surrounding page does.
    boxSizing: 'border-box',
    '*, *::before, *::after': { boxSizing: 'border-box' },
    display: 'flex',
    flexDirection: 'column',
    overflow: 'hidden',
    color: theme.colors.text.primary,
  }),
  scroll: css({
    overflowY: 'auto',
    overflowX: 'hidden',
    width: '100%',
  }),
  rowSlot: css({
    position: 'absolute',
    top: 0,
    left: 0,
    width: '100%',
    padding: theme.spacing(0.25, 0),
  }),
  row: css({
    display: 'flex',
    alignItems: 'center',
    gap: theme.spacing(1),
    width: '100%',
    height: '100%',
    padding: theme.spacing(0, 0.5),
    border: 'none',
    background: 'transparent',
    color: 'inherit',
    font: 'inherit',
    textAlign: 'left',
    borderRadius: theme.shape.radius.default,
    fontSize: theme.typography.bodySmall.fontSize,
  }),
  clickable: css({
    cursor: 'pointer',
    '&:hover': { background: theme.colors.action.hover },
    '&:focus-visible': { outline: `2px solid ${theme.colors.primary.border}` },
  }),
  label: css({
    flexShrink: 0,
    overflow: 'hidden',
    textOverflow: 'ellipsis',
    whiteSpace: 'nowrap',
    fontFamily: theme.typography.fontFamilyMonospace,
  }),
  other: css({ fontStyle: 'italic', color: theme.colors.text.secondary, fontFamily: theme.typography.fontFamily }),
  track: css({
    flex: '1 1 0',
    minWidth: 0,
    height: '60%',
    display: 'flex',
    background: theme.colors.background.secondary,
    borderRadius: theme.shape.radius.default,
    overflow: 'hidden',
  }),
  segment: css({ height: '100%', flexShrink: 0 }),
  value: css({
    flexShrink: 0,
    textAlign: 'right',
    fontVariantNumeric: 'tabular-nums',
    whiteSpace: 'nowrap',
    overflow: 'hidden',
    textOverflow: 'ellipsis',
  }),
  legend: css({ height: LEGEND_HEIGHT, overflow: 'hidden', flexShrink: 0 }),
});
