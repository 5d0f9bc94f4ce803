import React from 'react';
import { css } from '@emotion/css';
import { CoreApp, type GrafanaTheme2 } from '@grafana/data';
import { Alert, type ComboboxOption, InlineField, InlineFieldRow, MultiCombobox, useStyles2 } from '@grafana/ui';

import { type ApifwQuery, STATS_COLUMN_DESCRIPTIONS, STATS_COLUMNS } from 'shared/query';
import { variableOptions } from '../fields/options';
import { TransactionFilters } from './TransactionFilters';
import { LABEL_WIDTH, type TypeEditorProps } from './types';

const COLUMN_OPTIONS: Array<ComboboxOption<string>> = Object.values(STATS_COLUMNS).map((column) => ({
  value: column,
  label: column,
  description: STATS_COLUMN_DESCRIPTIONS[column],
}));

/** stats: one row of numbers for the time range; `columns` keeps some of them (an alert needs one). */
export function StatsEditor(props: TypeEditorProps) {
  const { query, onChange, app } = props;
  const styles = useStyles2(getStyles);
  const columns = query.columns ?? [];
  const forAlert = app === CoreApp.UnifiedAlerting;
  return (
    <>
      <InlineFieldRow>
        <InlineField
          label="Columns"
          labelWidth={LABEL_WIDTH}
          tooltip="Keep only these columns, in this order. Empty: all. An alert condition needs exactly one."
        >
          <MultiCombobox<string>
            id="apifw-columns"
            aria-label="Columns"
            options={[...COLUMN_OPTIONS, ...variableOptions()]}
            value={columns}
            placeholder="All columns"
            createCustomValue
            isClearable
            width="auto"
            minWidth={20}
            maxWidth={80}
            onChange={(options) => {
              const selected = options.map((option) => String(option.value));
              const next: ApifwQuery = { ...query, columns: selected };
              if (selected.length === 0) {
                delete next.columns;
              }
              onChange(next);
            }}
          />
        </InlineField>
      </InlineFieldRow>
      {forAlert && columns.length !== 1 && (
        <Alert severity="info" title="Pick one column for an alert condition">
          An alert rule compares one number: choose exactly one column, e.g. blocked or blockedRatio.
        </Alert>
      )}
      <TransactionFilters {...props} />
      <details className={styles.help}>
        <summary>Columns of the result</summary>
        <dl className={styles.columns}>
          {Object.values(STATS_COLUMNS).map((column) => (
            <div key={column} className={styles.column}>
              <dt className={styles.columnName}>{column}</dt>
              <dd className={styles.columnDescription}>{STATS_COLUMN_DESCRIPTIONS[column]}</dd>
            </div>
          ))}
        </dl>
      </details>
    </>
  );
}

const getStyles = (theme: GrafanaTheme2) => ({
  help: css({
    marginTop: theme.spacing(1),
    padding: theme.spacing(0.5, 1),
    borderRadius: theme.shape.radius.default,
    background: theme.colors.background.secondary,
    color: theme.colors.text.secondary,
    fontSize: theme.typography.bodySmall.fontSize,
    summary: { cursor: 'pointer' },
  }),
  columns: css({
    display: 'grid',
    gridTemplateColumns: 'max-content 1fr',
    columnGap: theme.spacing(2),
    rowGap: theme.spacing(0.25),
    margin: theme.spacing(0.5, 0, 0),
  }),
  column: css({ display: 'contents' }),
  columnName: css({ fontFamily: theme.typography.fontFamilyMonospace, color: theme.colors.text.primary }),
  columnDescription: css({ margin: 0 }),
});
