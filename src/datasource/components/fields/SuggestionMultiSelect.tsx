import React, { useCallback, useState } from 'react';
import type { TimeRange } from '@grafana/data';
import { type ComboboxOption, MultiCombobox } from '@grafana/ui';

import type { DataSource } from '../../datasource';
import type { SuggestionField } from '../../suggestions';
import { filterOptions, variableOptions } from './options';

export interface SuggestionMultiSelectProps {
  id: string;
  label: string;
  datasource: DataSource;
  /** Field whose values the backend suggests; omitted when `staticOptions` are the only choices. */
  field?: SuggestionField;
  /** Fixed choices (outcome, method); the backend is not asked. */
  staticOptions?: Array<ComboboxOption<string>>;
  range?: TimeRange;
  values: string[];
  placeholder?: string;
  onChange: (values: string[]) => void;
}

/**
 * A multi-value picker: values the backend has seen (most frequent first), dashboard variables,
 * and any typed value (`$api`, `4xx`, an id not in the list).
 */
export function SuggestionMultiSelect({
  id,
  label,
  datasource,
  field,
  staticOptions,
  range,
  values,
  placeholder = 'Any',
  onChange,
}: SuggestionMultiSelectProps) {
  // Labels of values seen in suggestions (an API's name for its id), to show selected values by name.
  const [labels, setLabels] = useState<Record<string, string>>({});
  const [unavailable, setUnavailable] = useState(false);

  const loadOptions = useCallback(
    async (search: string): Promise<Array<ComboboxOption<string>>> => {
      let options: Array<ComboboxOption<string>> = [];
      if (staticOptions) {
        options = filterOptions(staticOptions, search);
      } else if (field) {
        try {
          const suggestions = await datasource.suggestions({ field, prefix: search, range, limit: 100 });
          setUnavailable(false);
          const seen: Record<string, string> = {};
          options = suggestions.map((suggestion) => {
            seen[suggestion.value] = suggestion.label;
            const count = `${suggestion.count.toLocaleString('en-US')} in range`;
            return {
              value: suggestion.value,
              label: suggestion.label,
              description: suggestion.label !== suggestion.value ? `${suggestion.value} · ${count}` : count,
            };
          });
          setLabels((previous) => ({ ...previous, ...seen }));
        } catch {
          // Typing a value still works; the menu says why nothing is listed.
          setUnavailable(true);
        }
      }
      return [...options, ...variableOptions(search)];
    },
    [datasource, field, range, staticOptions]
  );

  const selected = values.map((value) => ({
    value,
    label: labels[value] ?? staticOptions?.find((option) => option.value === value)?.label ?? value,
  }));

  return (
    <MultiCombobox<string>
      id={id}
      aria-label={label}
      options={staticOptions && !field ? [...staticOptions, ...variableOptions()] : loadOptions}
      value={selected}
      placeholder={placeholder}
      createCustomValue
      customValueDescription="Use this value"
      noOptionsMessage={
        unavailable ? 'No suggestions from the data source: type a value' : 'No values in this time range'
      }
      isClearable
      width="auto"
      minWidth={16}
      maxWidth={60}
      onChange={(options) => onChange(options.map((option) => String(option.value)))}
    />
  );
}
