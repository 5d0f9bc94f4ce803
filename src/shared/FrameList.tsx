import React, { useMemo } from 'react';
import { css } from '@emotion/css';
import {
  type DataFrame,
  type Field,
  type GrafanaTheme2,
  formattedValueToString,
  getDisplayProcessor,
} from '@grafana/data';
import { useStyles2, useTheme2 } from '@grafana/ui';

/** Rows shown per frame before the rest are summarised, so a huge result cannot freeze the browser. */
export const DEFAULT_MAX_ROWS_PER_FRAME = 200;

interface FrameListProps {
  frames: DataFrame[];
  maxRowsPerFrame?: number;
  timeZone?: string;
}

interface DisplayCell {
  fieldName: string;
  text: string;
}

interface DisplayFrame {
  key: string;
  title: string;
  rows: DisplayCell[][];
  hiddenRowCount: number;
  fieldCount: number;
}

/**
 * Renders any data frames as a plain, readable list: the frame's name, then one entry per row with
 * each field name and its display value. Values are log-derived and attacker-controlled, so they
 * are only ever rendered as React text nodes.
 */
export function FrameList({ frames, maxRowsPerFrame = DEFAULT_MAX_ROWS_PER_FRAME, timeZone }: FrameListProps) {
  const theme = useTheme2();
  const styles = useStyles2(getStyles);

  const displayFrames = useMemo(
    () => frames.map((frame, index) => toDisplayFrame(frame, index, maxRowsPerFrame, theme, timeZone)),
    [frames, maxRowsPerFrame, theme, timeZone]
  );

  return (
    <div className={styles.container} data-testid="apifw-frame-list">
      {displayFrames.map((frame) => (
        <section key={frame.key} className={styles.frame} aria-label={frame.title}>
          <h3 className={styles.frameTitle}>{frame.title}</h3>
          {frame.rows.length === 0 ? (
            <p className={styles.note}>{frame.fieldCount === 0 ? 'No fields' : 'No rows'}</p>
          ) : (
            <ol className={styles.rows}>
              {frame.rows.map((row, rowIndex) => (
                <li key={rowIndex} className={styles.row}>
                  <dl className={styles.cells}>
                    {row.map((cell, cellIndex) => (
                      <div key={cellIndex} className={styles.cell}>
                        <dt className={styles.fieldName}>{cell.fieldName}</dt>
                        <dd className={styles.value}>{cell.text}</dd>
                      </div>
                    ))}
                  </dl>
                </li>
              ))}
            </ol>
          )}
          {frame.hiddenRowCount > 0 && (
            <p className={styles.note}>
              … {frame.hiddenRowCount} more {frame.hiddenRowCount === 1 ? 'row' : 'rows'}
            </p>
          )}
        </section>
      ))}
    </div>
  );
}

function toDisplayFrame(
  frame: DataFrame,
  index: number,
  maxRows: number,
  theme: GrafanaTheme2,
  timeZone: string | undefined
): DisplayFrame {
  const title = frame.name || frame.refId || `Frame ${index + 1}`;
  const shownRowCount = Math.min(frame.length, Math.max(0, maxRows));
  // Fields that came through Grafana's panel pipeline already carry a display processor with
  // units and overrides; raw frames (tests, direct use) get a default one.
  const formatters = frame.fields.map((field) => field.display ?? getDisplayProcessor({ field, theme, timeZone }));

  const rows: DisplayCell[][] = [];
  for (let rowIndex = 0; rowIndex < shownRowCount; rowIndex++) {
    rows.push(
      frame.fields.map((field, fieldIndex) => ({
        fieldName: fieldDisplayName(field),
        text: formatValue(field, rowIndex, formatters[fieldIndex]),
      }))
    );
  }

  return {
    key: `${index}-${title}`,
    title,
    rows,
    hiddenRowCount: frame.length - shownRowCount,
    fieldCount: frame.fields.length,
  };
}

function fieldDisplayName(field: Field): string {
  return field.config?.displayName || field.state?.displayName || field.name;
}

function formatValue(field: Field, rowIndex: number, format: NonNullable<Field['display']>): string {
  const value = field.values[rowIndex];
  if (value === null || value === undefined) {
    return '';
  }
  // Objects (e.g. JSON fields) have no useful display text of their own.
  if (typeof value === 'object' && !(value instanceof Date)) {
    return safeStringify(value);
  }
  return formattedValueToString(format(value));
}

function safeStringify(value: unknown): string {
  try {
    return JSON.stringify(value) ?? '';
  } catch {
    return String(value);
  }
}

const getStyles = (theme: GrafanaTheme2) => ({
  container: css({
    display: 'flex',
    flexDirection: 'column',
    gap: theme.spacing(2),
    height: '100%',
    overflow: 'auto',
    color: theme.colors.text.primary,
    fontSize: theme.typography.bodySmall.fontSize,
  }),
  frame: css({
    display: 'flex',
    flexDirection: 'column',
    gap: theme.spacing(1),
  }),
  frameTitle: css({
    ...theme.typography.h5,
    margin: 0,
  }),
  rows: css({
    listStyle: 'none',
    margin: 0,
    padding: 0,
    display: 'flex',
    flexDirection: 'column',
    gap: theme.spacing(0.5),
  }),
  row: css({
    padding: theme.spacing(0.5, 1),
    borderRadius: theme.shape.radius.default,
    background: theme.colors.background.secondary,
    border: `1px solid ${theme.colors.border.weak}`,
  }),
  cells: css({
    display: 'flex',
    flexWrap: 'wrap',
    columnGap: theme.spacing(2),
    rowGap: theme.spacing(0.25),
    margin: 0,
  }),
  cell: css({
    display: 'flex',
    gap: theme.spacing(0.5),
    minWidth: 0,
  }),
  fieldName: css({
    color: theme.colors.text.secondary,
    '&::after': { content: '":"' },
  }),
  value: css({
    margin: 0,
    fontFamily: theme.typography.fontFamilyMonospace,
    overflowWrap: 'anywhere',
  }),
  note: css({
    margin: 0,
    color: theme.colors.text.secondary,
    fontStyle: 'italic',
  }),
});
