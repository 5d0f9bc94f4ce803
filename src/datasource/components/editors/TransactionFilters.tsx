import React from 'react';
import { Button, Combobox, type ComboboxOption, IconButton, InlineField, InlineFieldRow, Stack } from '@grafana/ui';

import { ADHOC_OPERATORS, type AdhocFilter, type AdhocOperator, type QueryFilters } from 'shared/query';
import { filterSpecs } from 'shared/filters';
import { OUTCOME_LABELS, OUTCOMES } from 'shared/outcomes';
import type { SuggestionField } from '../../suggestions';
import { DimensionPicker, TextInput } from '../fields/fields';
import { SuggestionMultiSelect } from '../fields/SuggestionMultiSelect';
import { LABEL_WIDTH, type TypeEditorProps } from './types';

const OUTCOME_OPTIONS: Array<ComboboxOption<string>> = OUTCOMES.map((outcome) => ({
  value: outcome,
  label: OUTCOME_LABELS[outcome],
}));

/** Filters with a fixed set of values offer those instead of suggestions. */
const STATIC_OPTIONS: Partial<Record<string, Array<ComboboxOption<string>>>> = { outcome: OUTCOME_OPTIONS };

/** The list and text filters of transaction queries, in the order shown (shared/filters.ts). */
const LIST_FILTERS = filterSpecs('transactions', 'list');
const TEXT_FILTERS = filterSpecs('transactions', 'text');

/** Filters shared by the transaction query types (traffic, topN, stats, transactions, instances). */
export function TransactionFilters({ query, datasource, range, onChange }: TypeEditorProps) {
  const filters = query.filters ?? {};
  const update = (patch: Partial<QueryFilters>) => {
    const next: QueryFilters = { ...filters, ...patch };
    // An empty filter is no filter: keep the saved JSON small.
    for (const [key, value] of Object.entries(patch)) {
      if (value === undefined || value === '' || (Array.isArray(value) && value.length === 0)) {
        delete next[key as keyof QueryFilters];
      }
    }
    onChange({ ...query, filters: next });
  };

  return (
    <Stack direction="column" gap={0}>
      <InlineFieldRow>
        {LIST_FILTERS.map((spec) => (
          <InlineField key={spec.key} label={spec.label} labelWidth={LABEL_WIDTH} tooltip={spec.tooltip}>
            <SuggestionMultiSelect
              id={`apifw-filter-${spec.key}`}
              label={spec.label}
              datasource={datasource}
              field={STATIC_OPTIONS[spec.key] ? undefined : (spec.key as SuggestionField)}
              staticOptions={STATIC_OPTIONS[spec.key]}
              range={range}
              values={(filters[spec.key] as string[] | undefined) ?? []}
              onChange={(values) => update({ [spec.key]: values })}
            />
          </InlineField>
        ))}
        {TEXT_FILTERS.map((spec) => (
          <InlineField key={spec.key} label={spec.label} labelWidth={LABEL_WIDTH} tooltip={spec.tooltip}>
            <TextInput
              id={`apifw-filter-${spec.key}`}
              label={spec.label}
              value={filters[spec.key] as string | undefined}
              placeholder={spec.placeholder}
              width={spec.width}
              onCommit={(value) => update({ [spec.key]: value })}
            />
          </InlineField>
        ))}
      </InlineFieldRow>
      <AdhocFiltersEditor filters={filters.adhoc ?? []} onChange={(adhoc) => update({ adhoc })} />
    </Stack>
  );
}

const OPERATOR_OPTIONS: Array<ComboboxOption<AdhocOperator>> = [
  { value: '=', label: '=', description: 'equals' },
  { value: '!=', label: '!=', description: 'does not equal' },
  { value: '=~', label: '=~', description: 'matches the regular expression' },
  { value: '!~', label: '!~', description: 'does not match the regular expression' },
].filter((option) => ADHOC_OPERATORS.includes(option.value as AdhocOperator)) as Array<ComboboxOption<AdhocOperator>>;

interface AdhocFiltersEditorProps {
  filters: AdhocFilter[];
  onChange: (filters: AdhocFilter[]) => void;
}

/** Conditions on any dimension, including negations and regular expressions (saved with the query). */
export function AdhocFiltersEditor({ filters, onChange }: AdhocFiltersEditorProps) {
  const replace = (index: number, patch: Partial<AdhocFilter>) =>
    onChange(filters.map((filter, i) => (i === index ? { ...filter, ...patch } : filter)));
  return (
    <Stack direction="column" gap={0.5}>
      {filters.map((filter, index) => {
        const label = `Condition ${index + 1}`;
        return (
          <InlineFieldRow key={index}>
            <InlineField label={label} labelWidth={LABEL_WIDTH}>
              <DimensionPicker
                id={`apifw-condition-${index}-key`}
                label={`${label} dimension`}
                value={filter.key}
                width={20}
                onChange={(key) => replace(index, { key })}
              />
            </InlineField>
            {/* The operator has no visible label: aria-labelledby names it on 12.4, which ignores aria-label. */}
            <span id={`apifw-condition-${index}-operator-label`} hidden>
              {`${label} operator`}
            </span>
            <InlineField>
              <Combobox<AdhocOperator>
                id={`apifw-condition-${index}-operator`}
                aria-label={`${label} operator`}
                aria-labelledby={`apifw-condition-${index}-operator-label`}
                options={OPERATOR_OPTIONS}
                value={filter.operator}
                width={10}
                onChange={(option) => replace(index, { operator: option.value })}
              />
            </InlineField>
            <InlineField invalid={filter.value.length > 256} error="At most 256 characters">
              <TextInput
                id={`apifw-condition-${index}-value`}
                label={`${label} value`}
                value={filter.value}
                placeholder={filter.operator.endsWith('~') ? 'regular expression' : 'value'}
                invalid={filter.value.length > 256}
                onCommit={(value) => replace(index, { value })}
              />
            </InlineField>
            <IconButton
              name="trash-alt"
              aria-label={`Remove ${label.toLowerCase()}`}
              onClick={() => onChange(filters.filter((_, i) => i !== index))}
            />
          </InlineFieldRow>
        );
      })}
      <div>
        <Button
          variant="secondary"
          size="sm"
          icon="plus"
          fill="text"
          onClick={() => onChange([...filters, { key: 'statusClass', operator: '!=', value: '2xx' }])}
        >
          Add condition
        </Button>
      </div>
    </Stack>
  );
}
