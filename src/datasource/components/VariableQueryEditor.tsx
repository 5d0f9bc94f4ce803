import React from 'react';
import type { QueryEditorProps } from '@grafana/data';
import { Combobox, type ComboboxOption, InlineField, InlineFieldRow, Stack, Text } from '@grafana/ui';

import { DIMENSION_DESCRIPTIONS, DIMENSION_LABELS, DIMENSIONS, type ApifwQuery } from 'shared/query';
import type { ApifwDataSourceOptions } from 'shared/settings';
import type { DataSource } from '../datasource';
import type { SuggestionField } from '../suggestions';
import { DEFAULT_VARIABLE_QUERY, type ApifwVariableQuery } from '../variables';
import { NumberInput, TextInput } from './fields/fields';

export type VariableQueryEditorProps = QueryEditorProps<
  DataSource,
  ApifwQuery,
  ApifwDataSourceOptions,
  ApifwVariableQuery
>;

const FIELD_OPTIONS: Array<ComboboxOption<SuggestionField>> = [
  ...DIMENSIONS.map((dimension) => ({
    value: dimension,
    label: DIMENSION_LABELS[dimension],
    description:
      dimension === 'api' ? 'APIs: the name is shown, the id is the value' : DIMENSION_DESCRIPTIONS[dimension],
    group: 'Transactions',
  })),
  { value: 'collection', label: 'Collection', description: 'collections of the inventory', group: 'Reports' },
  { value: 'tag', label: 'Tag', description: 'API tags of the inventory', group: 'Reports' },
  { value: 'team', label: 'Team', description: 'owning teams', group: 'Reports' },
];

/** A template variable listing the values of one dimension, or the collections, tags or teams. */
export function VariableQueryEditor({ query, onChange }: VariableQueryEditorProps) {
  const current: ApifwVariableQuery = { ...DEFAULT_VARIABLE_QUERY, ...query };
  const update = (patch: Partial<ApifwVariableQuery>) => onChange({ ...current, ...patch });
  return (
    <Stack direction="column" gap={1}>
      <InlineFieldRow>
        <InlineField label="Values of" labelWidth={14} tooltip="What the variable lists, most frequent first">
          <Combobox<SuggestionField>
            id="apifw-variable-field"
            aria-label="Values of"
            options={FIELD_OPTIONS}
            value={current.field}
            width={28}
            onChange={(option) => update({ field: option.value })}
          />
        </InlineField>
        <InlineField label="Containing" labelWidth={14} tooltip="Only values containing this text (case-insensitive)">
          <TextInput
            id="apifw-variable-prefix"
            label="Containing"
            value={current.prefix}
            placeholder="any"
            width={20}
            onCommit={(prefix) => update({ prefix: prefix || undefined })}
          />
        </InlineField>
        <InlineField label="Limit" labelWidth={10} tooltip="At most this many values (up to 1000)">
          <NumberInput
            id="apifw-variable-limit"
            label="Limit"
            value={current.limit}
            placeholder="100"
            min={1}
            max={1000}
            onCommit={(limit) => update({ limit })}
          />
        </InlineField>
      </InlineFieldRow>
      <Text color="secondary" variant="bodySmall">
        Values come from the transactions of the dashboard&apos;s time range (collections, tags and teams from the
        reports). For APIs the variable shows names and its value is the API id, which every filter accepts.
      </Text>
    </Stack>
  );
}
