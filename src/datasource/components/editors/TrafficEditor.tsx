import React from 'react';
import { InlineField, InlineFieldRow, RadioButtonGroup } from '@grafana/ui';

import { type Metric, METRIC_DESCRIPTIONS, METRIC_LABELS, METRICS } from 'shared/query';
import { DimensionPicker, NumberInput } from '../fields/fields';
import { TransactionFilters } from './TransactionFilters';
import { LABEL_WIDTH, type TypeEditorProps } from './types';

const METRIC_OPTIONS = METRICS.map((metric) => ({
  value: metric,
  label: METRIC_LABELS[metric],
  description: METRIC_DESCRIPTIONS[metric],
}));

/** traffic: transactions over time, one series per outcome or per value of a dimension. */
export function TrafficEditor(props: TypeEditorProps) {
  const { query, onChange } = props;
  const splitBy = query.splitBy || 'outcome';
  return (
    <>
      <InlineFieldRow>
        <InlineField
          label="Split by"
          labelWidth={LABEL_WIDTH}
          tooltip="One series per outcome, or per value of a dimension"
        >
          <DimensionPicker
            id="apifw-split-by"
            label="Split by"
            value={splitBy}
            onChange={(value) => onChange({ ...query, splitBy: value })}
          />
        </InlineField>
        <InlineField label="Metric" labelWidth={LABEL_WIDTH} tooltip="What each point is">
          <RadioButtonGroup<Metric>
            options={METRIC_OPTIONS}
            value={query.metric ?? 'count'}
            onChange={(metric) => onChange({ ...query, metric })}
          />
        </InlineField>
        {splitBy !== 'outcome' && (
          <InlineField
            label="Series"
            labelWidth={LABEL_WIDTH}
            tooltip="The most frequent values get a series each (at most 100); the rest are summed in 'other'"
          >
            <NumberInput
              id="apifw-limit"
              label="Series"
              value={query.limit}
              placeholder="10"
              min={1}
              max={100}
              onCommit={(limit) => onChange({ ...query, limit })}
            />
          </InlineField>
        )}
      </InlineFieldRow>
      <TransactionFilters {...props} />
    </>
  );
}
