import React from 'react';
import { InlineField, InlineFieldRow } from '@grafana/ui';

import { NumberInput } from '../fields/fields';
import { TransactionFilters } from './TransactionFilters';
import { LABEL_WIDTH, type TypeEditorProps } from './types';

/** transactions: the newest matching transactions, each linking to its trace. */
export function TransactionsEditor(props: TypeEditorProps) {
  const { query, onChange } = props;
  return (
    <>
      <InlineFieldRow>
        <InlineField label="Limit" labelWidth={LABEL_WIDTH} tooltip="Newest transactions to list (at most 5000)">
          <NumberInput
            id="apifw-limit"
            label="Limit"
            value={query.limit}
            placeholder="100"
            min={1}
            max={5000}
            onCommit={(limit) => onChange({ ...query, limit })}
          />
        </InlineField>
      </InlineFieldRow>
      <TransactionFilters {...props} />
    </>
  );
}
