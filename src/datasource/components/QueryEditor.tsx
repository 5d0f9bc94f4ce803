import React from 'react';
import { css } from '@emotion/css';
import type { GrafanaTheme2, QueryEditorProps } from '@grafana/data';
import { Alert, Combobox, type ComboboxOption, InlineField, Stack, Text, useStyles2 } from '@grafana/ui';

import {
  type ApifwQuery,
  IMPLEMENTED_QUERY_TYPES,
  isImplementedQueryType,
  QUERY_TYPE_DESCRIPTIONS,
  QUERY_TYPE_LABELS,
  type QueryType,
  STATS_COLUMN_DESCRIPTIONS,
  STATS_COLUMNS,
} from 'shared/query';
import type { ApifwDataSourceOptions } from 'shared/settings';
import type { DataSource } from '../datasource';

export type ApifwQueryEditorProps = QueryEditorProps<DataSource, ApifwQuery, ApifwDataSourceOptions>;

const QUERY_TYPE_OPTIONS: Array<ComboboxOption<QueryType>> = IMPLEMENTED_QUERY_TYPES.map((queryType) => ({
  label: QUERY_TYPE_LABELS[queryType],
  value: queryType,
  description: QUERY_TYPE_DESCRIPTIONS[queryType],
}));

export function QueryEditor({ query, onChange, onRunQuery }: ApifwQueryEditorProps) {
  const styles = useStyles2(getStyles);
  const queryType = query.queryType;

  const onQueryTypeChange = (option: ComboboxOption<QueryType>) => {
    onChange({ ...query, queryType: option.value });
    onRunQuery();
  };

  return (
    <Stack direction="column" gap={1}>
      <Stack direction="row" gap={1} alignItems="center" wrap="wrap">
        <InlineField label="Query type" labelWidth={14} tooltip="What the data source computes from the firewall logs">
          <Combobox
            id="apifw-query-type"
            aria-label="Query type"
            options={QUERY_TYPE_OPTIONS}
            value={isImplementedQueryType(queryType) ? queryType : null}
            placeholder="Choose a query type"
            width={24}
            onChange={onQueryTypeChange}
          />
        </InlineField>
        {queryType && <Text color="secondary">{QUERY_TYPE_DESCRIPTIONS[queryType] ?? ''}</Text>}
      </Stack>
      {queryType && !isImplementedQueryType(queryType) && (
        <Alert severity="warning" title={`Query type "${queryType}" is not available in this version`}>
          This query was saved for a query type the installed data source does not answer yet. Choose one of the
          available query types.
        </Alert>
      )}
      {queryType === 'stats' && (
        <div className={styles.help}>
          <Text element="p" color="secondary">
            Returns one row for the dashboard time range with these columns:
          </Text>
          <dl className={styles.columns}>
            {Object.values(STATS_COLUMNS).map((column) => (
              <div key={column} className={styles.column}>
                <dt className={styles.columnName}>{column}</dt>
                <dd className={styles.columnDescription}>{STATS_COLUMN_DESCRIPTIONS[column]}</dd>
              </div>
            ))}
          </dl>
        </div>
      )}
    </Stack>
  );
}

const getStyles = (theme: GrafanaTheme2) => ({
  help: css({
    padding: theme.spacing(1),
    borderRadius: theme.shape.radius.default,
    background: theme.colors.background.secondary,
  }),
  columns: css({
    display: 'grid',
    gridTemplateColumns: 'max-content 1fr',
    columnGap: theme.spacing(2),
    rowGap: theme.spacing(0.25),
    margin: theme.spacing(0.5, 0, 0),
    fontSize: theme.typography.bodySmall.fontSize,
  }),
  column: css({
    display: 'contents',
  }),
  columnName: css({
    fontFamily: theme.typography.fontFamilyMonospace,
    color: theme.colors.text.primary,
  }),
  columnDescription: css({
    margin: 0,
    color: theme.colors.text.secondary,
  }),
});
