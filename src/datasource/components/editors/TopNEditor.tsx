import React from 'react';
import { InlineField, InlineFieldRow } from '@grafana/ui';

import { DimensionPicker, NumberInput } from '../fields/fields';
import { TransactionFilters } from './TransactionFilters';
import { LABEL_WIDTH, type TypeEditorProps } from './types';

/** topN: the most frequent values of one dimension, with counts per outcome and their share. */
export function TopNEditor(props: TypeEditorProps) {
  const { query, onChange } = props;
  return (
    <>
      <InlineFieldRow>
        <InlineField
          label="Dimension"
          labelWidth={LABEL_WIDTH}
          tooltip="What to group by"
          invalid={!query.dimension}
          error="Choose what to rank"
        >
          <DimensionPicker
            id="apifw-dimension"
            label="Dimension"
            value={query.dimension}
            onChange={(dimension) => onChange({ ...query, dimension: dimension as typeof query.dimension })}
          />
        </InlineField>
        <InlineField label="Limit" labelWidth={LABEL_WIDTH} tooltip="Rows before the 'other' row (at most 1000)">
          <NumberInput
            id="apifw-limit"
            label="Limit"
            value={query.limit}
            placeholder="10"
            min={1}
            max={1000}
            onCommit={(limit) => onChange({ ...query, limit })}
          />
        </InlineField>
      </InlineFieldRow>
      <TransactionFilters {...props} />
    </>
  );
}
