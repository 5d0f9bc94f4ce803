import React from 'react';
import { InlineField, InlineFieldRow } from '@grafana/ui';

import type { QueryFilters } from 'shared/query';
import type { SuggestionField } from '../../suggestions';
import { SuggestionMultiSelect } from '../fields/SuggestionMultiSelect';
import { LABEL_WIDTH, type TypeEditorProps } from './types';

type ReportFilterKey = 'api' | 'collection' | 'tag' | 'team';

const REPORT_FILTERS: Array<{ key: ReportFilterKey & SuggestionField; label: string; tooltip: string }> = [
  { key: 'api', label: 'API', tooltip: 'API id or name' },
  { key: 'collection', label: 'Collection', tooltip: 'Collection id or name' },
  { key: 'tag', label: 'Tag', tooltip: 'Any of the API’s inventory tags' },
  { key: 'team', label: 'Team', tooltip: 'Owning team, id or name' },
];

/** Filters of the report query types: which APIs (by id or name, collection, tag, team). */
export function ReportFilters({ query, datasource, range, onChange }: TypeEditorProps) {
  const filters = query.filters ?? {};
  const update = (key: ReportFilterKey, values: string[]) => {
    const next: QueryFilters = { ...filters, [key]: values };
    if (values.length === 0) {
      delete next[key];
    }
    onChange({ ...query, filters: next });
  };
  return (
    <InlineFieldRow>
      {REPORT_FILTERS.map((spec) => (
        <InlineField key={spec.key} label={spec.label} labelWidth={LABEL_WIDTH} tooltip={spec.tooltip}>
          <SuggestionMultiSelect
            id={`apifw-report-filter-${spec.key}`}
            label={spec.label}
            datasource={datasource}
            field={spec.key}
            range={range}
            values={filters[spec.key] ?? []}
            onChange={(values) => update(spec.key, values)}
          />
        </InlineField>
      ))}
    </InlineFieldRow>
  );
}
