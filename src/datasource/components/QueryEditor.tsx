import React, { type ComponentType } from 'react';
import type { QueryEditorProps } from '@grafana/data';
import { Alert, Combobox, type ComboboxOption, InlineField, Stack, Text } from '@grafana/ui';

import {
  type ApifwQuery,
  changeQueryType,
  IMPLEMENTED_QUERY_TYPES,
  isImplementedQueryType,
  isReportQueryType,
  QUERY_TYPE_DESCRIPTIONS,
  QUERY_TYPE_LABELS,
  type QueryType,
} from 'shared/query';
import type { ApifwDataSourceOptions } from 'shared/settings';
import type { DataSource } from '../datasource';
import { InstancesEditor } from './editors/InstancesEditor';
import { AuditIssuesEditor, InventoryEditor, LatestReportEditor, TrendEditor } from './editors/ReportEditors';
import { StatsEditor } from './editors/StatsEditor';
import { TopNEditor } from './editors/TopNEditor';
import { TraceEditor } from './editors/TraceEditor';
import { TrafficEditor } from './editors/TrafficEditor';
import { TransactionsEditor } from './editors/TransactionsEditor';
import { LABEL_WIDTH, type TypeEditorProps } from './editors/types';

export type ApifwQueryEditorProps = QueryEditorProps<DataSource, ApifwQuery, ApifwDataSourceOptions>;

const QUERY_TYPE_OPTIONS: Array<ComboboxOption<QueryType>> = IMPLEMENTED_QUERY_TYPES.map((queryType) => ({
  label: QUERY_TYPE_LABELS[queryType],
  value: queryType,
  description: QUERY_TYPE_DESCRIPTIONS[queryType],
  group: isReportQueryType(queryType) ? 'Reports' : 'Transactions',
}));

/** The editor of each query type. */
const EDITORS: Record<QueryType, ComponentType<TypeEditorProps>> = {
  traffic: TrafficEditor,
  topN: TopNEditor,
  stats: StatsEditor,
  transactions: TransactionsEditor,
  trace: TraceEditor,
  instances: InstancesEditor,
  audit: LatestReportEditor,
  auditIssues: AuditIssuesEditor,
  auditTrend: TrendEditor,
  scan: LatestReportEditor,
  scanTrend: TrendEditor,
  inventory: InventoryEditor,
};

export function QueryEditor({ query, onChange, onRunQuery, datasource, range, app }: ApifwQueryEditorProps) {
  const queryType = query.queryType;

  // Every edit is complete when reported (text fields report on blur / Enter), so run at once.
  const change = (next: ApifwQuery) => {
    onChange(next);
    onRunQuery();
  };

  const Editor = isImplementedQueryType(queryType) ? EDITORS[queryType] : undefined;

  return (
    <Stack direction="column" gap={1}>
      <Stack direction="row" gap={1} alignItems="center" wrap="wrap">
        <InlineField label="Query type" labelWidth={LABEL_WIDTH} tooltip="What the data source computes">
          <Combobox<QueryType>
            id="apifw-query-type"
            aria-label="Query type"
            options={QUERY_TYPE_OPTIONS}
            value={isImplementedQueryType(queryType) ? queryType : null}
            placeholder="Choose a query type"
            width={24}
            onChange={(option) => change(changeQueryType(query, option.value))}
          />
        </InlineField>
        {queryType && <Text color="secondary">{QUERY_TYPE_DESCRIPTIONS[queryType] ?? ''}</Text>}
      </Stack>
      {queryType && !isImplementedQueryType(queryType) && (
        <Alert severity="warning" title={`Query type "${queryType}" is not available in this version`}>
          This query was saved for a query type the installed data source does not answer. Choose one of the available
          query types.
        </Alert>
      )}
      {Editor && <Editor query={query} datasource={datasource} range={range} app={app} onChange={change} />}
    </Stack>
  );
}
