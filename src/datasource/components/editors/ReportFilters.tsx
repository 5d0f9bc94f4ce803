import React from 'react';
import { InlineField, InlineFieldRow } from '@grafana/ui';

import type { QueryFilters } from 'shared/query';
import { filterSpecs, type ListFilterKey } from 'shared/filters';
import type { SuggestionField } from '../../suggestions';
import { SuggestionMultiSelect } from '../fields/SuggestionMultiSelect';
import { LABEL_WIDTH, type TypeEditorProps } from './types';

/** The filters of report queries, in the order shown (shared/filters.ts). */
const REPORT_FILTERS = filterSpecs('reports');

/** Filters of the report query types: which APIs (by id or name, collection, tag, team). */
export function ReportFilters({ query, datasource, range, onChange }: TypeEditorProps) {
  const filters = query.filters ?? {};
  const update = (key: ListFilterKey, values: string[]) => {
    const next: QueryFilters = { ...filters, [key]: values };
    if (values.length === 0) {
      delete next[key];
    }
    onChange({ ...query, filters: next });
  };
  return (
    <InlineFieldRow>
      {REPORT_FILTERS.map((spec) => (
        <InlineField
          key={spec.key}
          label={spec.label}
          labelWidth={LABEL_WIDTH}
          tooltip={spec.reportTooltip ?? spec.tooltip}
        >
          <SuggestionMultiSelect
            id={`apifw-report-filter-${spec.key}`}
            label={spec.label}
            datasource={datasource}
            field={spec.key as SuggestionField}
            range={range}
            values={(filters[spec.key] as string[] | undefined) ?? []}
            onChange={(values) => update(spec.key as ListFilterKey, values)}
          />
        </InlineField>
      ))}
    </InlineFieldRow>
  );
}
