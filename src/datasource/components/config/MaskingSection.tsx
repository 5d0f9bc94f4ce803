import React from 'react';
import { FieldSet } from '@grafana/ui';

import { BUILT_IN_MASKED_HEADERS, validateHeaderNames } from 'shared/settings';
import { StringListEditor } from './StringListEditor';
import type { SectionProps } from './types';

/** Header values never shown: the built-in list plus the ones configured here. */
export function MaskingSection({ jsonData, onChange }: SectionProps) {
  return (
    <FieldSet label="Secret headers">
      <StringListEditor
        idPrefix="apifw-masked-header"
        label="Masked headers"
        description={`Header names (case-insensitive, * matches any text) whose values the trace view replaces with ••••••, in addition to the built-in ones: ${BUILT_IN_MASKED_HEADERS.join(', ')}.`}
        placeholder="x-customer-secret"
        values={jsonData.maskedHeaders ?? []}
        addText="Add header"
        width={40}
        validate={validateHeaderNames}
        onChange={(maskedHeaders) => onChange({ maskedHeaders: maskedHeaders.length > 0 ? maskedHeaders : undefined })}
      />
    </FieldSet>
  );
}
