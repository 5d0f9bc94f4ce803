import React from 'react';
import { Button, Combobox, type ComboboxOption, IconButton, InlineField, InlineFieldRow, Stack } from '@grafana/ui';

import {
  ADHOC_OPERATORS,
  type AdhocFilter,
  type AdhocOperator,
  type ListFilterKey,
  OUTCOME_LABELS,
  OUTCOMES,
  type QueryFilters,
} from 'shared/query';
import type { SuggestionField } from '../../suggestions';
import { DimensionPicker, TextInput } from '../fields/fields';
import { SuggestionMultiSelect } from '../fields/SuggestionMultiSelect';
import { LABEL_WIDTH, type TypeEditorProps } from './types';

const OUTCOME_OPTIONS: Array<ComboboxOption<string>> = OUTCOMES.map((outcome) => ({
  value: outcome,
  label: OUTCOME_LABELS[outcome],
}));

interface ListFilterSpec {
  key: ListFilterKey & SuggestionField;
  label: string;
  tooltip: string;
  staticOptions?: Array<ComboboxOption<string>>;
}

/** The list filters of transaction queries, in the order shown. */
const LIST_FILTERS: ListFilterSpec[] = [
  { key: 'api', label: 'API', tooltip: 'API id or name; several match any of them' },
  { key: 'collection', label: 'Collection', tooltip: 'APIs of these collections (from the inventory reports)' },
  { key: 'instance', label: 'Instance', tooltip: 'Firewall instance name' },
  {
    key: 'outcome',
    label: 'Outcome',
    tooltip: 'allowed, blocked, would block (monitoring mode) or unmatched',
    staticOptions: OUTCOME_OPTIONS,
  },
  { key: 'method', label: 'Method', tooltip: 'HTTP method, case-insensitive' },
  { key: 'status', label: 'Status', tooltip: 'Status codes (404) or classes (4xx)' },
  { key: 'operation', label: 'Operation', tooltip: 'OpenAPI path template matched (oas_path)' },
  { key: 'errorStep', label: 'Error step', tooltip: 'Processing step of any error of the transaction' },
  { key: 'errorMessage', label: 'Error message', tooltip: 'Message of any error of the transaction, exactly' },
  { key: 'hostname', label: 'Hostname', tooltip: 'The host the client called (hostname)' },
];

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
              field={spec.staticOptions ? undefined : spec.key}
              staticOptions={spec.staticOptions}
              range={range}
              values={(filters[spec.key] as string[] | undefined) ?? []}
              onChange={(values) => update({ [spec.key]: values })}
            />
          </InlineField>
        ))}
        <InlineField
          label="Path"
          labelWidth={LABEL_WIDTH}
          tooltip="Exact path (/api/users), a prefix ending in /* (/api/*), or a glob within segments (/api/*/pictures)"
        >
          <TextInput
            id="apifw-filter-path"
            label="Path"
            value={filters.path}
            placeholder="/api/*"
            onCommit={(path) => update({ path })}
          />
        </InlineField>
        <InlineField label="Client IP" labelWidth={LABEL_WIDTH} tooltip="One IPv4/IPv6 address or a CIDR (10.0.0.0/8)">
          <TextInput
            id="apifw-filter-clientIp"
            label="Client IP"
            value={filters.clientIp}
            placeholder="10.0.0.0/8"
            width={24}
            onCommit={(clientIp) => update({ clientIp })}
          />
        </InlineField>
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
            <InlineField>
              <Combobox<AdhocOperator>
                aria-label={`${label} operator`}
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
