import React from 'react';
import { InlineField, InlineFieldRow } from '@grafana/ui';

import { TextInput } from '../fields/fields';
import { LABEL_WIDTH, type TypeEditorProps } from './types';

/** trace: one transaction by UUID (filters and the time range do not apply). */
export function TraceEditor({ query, onChange }: TypeEditorProps) {
  const missing = !query.uuid?.trim();
  return (
    <InlineFieldRow>
      <InlineField
        label="UUID"
        labelWidth={LABEL_WIDTH}
        tooltip="The transaction's uuid as written in the log, or a variable such as $uuid"
        invalid={missing}
        error="Enter the UUID of a transaction: the query does not run without one"
        grow
      >
        <TextInput
          id="apifw-uuid"
          label="UUID"
          value={query.uuid}
          placeholder="6f1e2a3b-4c5d-4e6f-8a9b-0c1d2e3f4a5b"
          width={48}
          invalid={missing}
          onCommit={(uuid) => onChange({ ...query, uuid })}
        />
      </InlineField>
    </InlineFieldRow>
  );
}
