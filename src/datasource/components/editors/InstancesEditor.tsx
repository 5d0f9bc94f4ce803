import React from 'react';
import { InlineField, InlineFieldRow } from '@grafana/ui';

import { validateDuration } from 'shared/settings';
import { TextInput } from '../fields/fields';
import { TransactionFilters } from './TransactionFilters';
import { LABEL_WIDTH, type TypeEditorProps } from './types';

/** instances: the firewall instances, silent when they logged nothing for `silentAfter`. */
export function InstancesEditor(props: TypeEditorProps) {
  const { query, onChange } = props;
  const problems = query.silentAfter?.startsWith('$') ? [] : validateDuration(query.silentAfter, 'Silent after');
  return (
    <>
      <InlineFieldRow>
        <InlineField
          label="Silent after"
          labelWidth={LABEL_WIDTH}
          tooltip="An instance with no record for this long is marked silent (Go duration: 15m, 1h, 90s)"
          invalid={problems.length > 0}
          error={problems[0]}
        >
          <TextInput
            id="apifw-silent-after"
            label="Silent after"
            value={query.silentAfter}
            placeholder="15m"
            width={12}
            invalid={problems.length > 0}
            onCommit={(silentAfter) => onChange({ ...query, silentAfter: silentAfter || undefined })}
          />
        </InlineField>
      </InlineFieldRow>
      <TransactionFilters {...props} />
    </>
  );
}
