import React from 'react';
import { InlineField, InlineFieldRow, RadioButtonGroup } from '@grafana/ui';

import { type ApifwQuery, AUDIT_ISSUES_GROUP_BY, INVENTORY_GROUP_BY } from 'shared/query';
import { isGoDuration } from 'shared/settings';
import { NumberInput, TextInput } from '../fields/fields';
import { GradesEditor } from './GradesEditor';
import { ReportFilters } from './ReportFilters';
import { LABEL_WIDTH, type TypeEditorProps } from './types';

/** audit and scan: the latest report of each selected API. */
export function LatestReportEditor(props: TypeEditorProps) {
  return (
    <>
      {props.query.queryType === 'audit' && (
        <InlineFieldRow>
          <GradesEditor {...props} />
        </InlineFieldRow>
      )}
      <ReportFilters {...props} />
    </>
  );
}

const ISSUES_GROUP_LABELS: Record<(typeof AUDIT_ISSUES_GROUP_BY)[number], string> = {
  severity: 'Severity',
  category: 'Category',
  subcategory: 'Sub-category',
  issue: 'Issue',
};

/** auditIssues: issues of the latest audits grouped by severity, category, sub-category or issue. */
export function AuditIssuesEditor(props: TypeEditorProps) {
  const { query, onChange } = props;
  const groupBy = query.groupBy || 'severity';
  return (
    <>
      <InlineFieldRow>
        <InlineField label="Group by" labelWidth={LABEL_WIDTH}>
          <RadioButtonGroup
            options={AUDIT_ISSUES_GROUP_BY.map((value) => ({ value, label: ISSUES_GROUP_LABELS[value] }))}
            value={groupBy}
            onChange={(value) => onChange({ ...query, groupBy: value })}
          />
        </InlineField>
        {groupBy !== 'severity' && (
          <InlineField label="Limit" labelWidth={LABEL_WIDTH} tooltip="Keep the first rows (most frequent)">
            <NumberInput
              id="apifw-limit"
              label="Limit"
              value={query.limit}
              placeholder="all"
              min={1}
              onCommit={(limit) => onChange({ ...query, limit })}
            />
          </InlineField>
        )}
      </InlineFieldRow>
      <ReportFilters {...props} />
    </>
  );
}

/** auditTrend and scanTrend: report counts and states per time bucket. */
export function TrendEditor(props: TypeEditorProps) {
  const { query, onChange } = props;
  const interval = query.interval ?? '';
  const invalid = interval !== '' && !interval.startsWith('$') && !isTrendInterval(interval);
  return (
    <>
      <InlineFieldRow>
        <InlineField
          label="Interval"
          labelWidth={LABEL_WIDTH}
          tooltip="Bucket width: 30m, 6h, 1d, 2w or any Go duration. Empty: chosen from the time range (at most 100 buckets)"
          invalid={invalid}
          error="Write a duration such as 30m, 6h, 1d or 2w"
        >
          <TextInput
            id="apifw-interval"
            label="Interval"
            value={query.interval}
            placeholder="auto"
            width={12}
            invalid={invalid}
            onCommit={(value) => onChange({ ...query, interval: value || undefined })}
          />
        </InlineField>
        {query.queryType === 'auditTrend' && <GradesEditor {...props} />}
      </InlineFieldRow>
      <ReportFilters {...props} />
    </>
  );
}

/** Go durations plus whole days and weeks, as the backend reads `interval`. */
export function isTrendInterval(value: string): boolean {
  return /^\d+[dw]$/.test(value.trim()) || isGoDuration(value);
}

const INVENTORY_GROUP_LABELS: Record<(typeof INVENTORY_GROUP_BY)[number], string> = {
  '': 'Summary',
  api: 'API',
  collection: 'Collection',
  team: 'Team',
};

/** inventory: a one-row summary, or one row per API, collection or team. */
export function InventoryEditor(props: TypeEditorProps) {
  const { query, onChange } = props;
  const groupBy = query.groupBy ?? '';
  return (
    <>
      <InlineFieldRow>
        <InlineField label="Group by" labelWidth={LABEL_WIDTH} tooltip="Summary is one numeric row (alert-ready)">
          <RadioButtonGroup
            options={INVENTORY_GROUP_BY.map((value) => ({ value, label: INVENTORY_GROUP_LABELS[value] }))}
            value={groupBy}
            onChange={(value) => {
              const next: ApifwQuery = { ...query, groupBy: value };
              if (value === '') {
                delete next.groupBy;
              }
              onChange(next);
            }}
          />
        </InlineField>
        {groupBy === 'api' && <GradesEditor {...props} />}
      </InlineFieldRow>
      <ReportFilters {...props} />
    </>
  );
}
