import React, { useState } from 'react';
import { Combobox, type ComboboxOption, Input } from '@grafana/ui';

import { DIMENSION_DESCRIPTIONS, DIMENSION_LABELS, DIMENSIONS, type Dimension } from 'shared/query';
import { variableOptions } from './options';

const DIMENSION_OPTIONS: Array<ComboboxOption<string>> = DIMENSIONS.map((dimension) => ({
  value: dimension,
  label: DIMENSION_LABELS[dimension],
  description: DIMENSION_DESCRIPTIONS[dimension],
}));

export interface DimensionPickerProps {
  id: string;
  label: string;
  value: string | undefined;
  onChange: (value: Dimension | string) => void;
  width?: number;
}

/** One of the dimensions, or a dashboard variable holding one (a saved unknown value is still shown). */
export function DimensionPicker({ id, label, value, onChange, width = 24 }: DimensionPickerProps) {
  const known = DIMENSION_OPTIONS.find((option) => option.value === value);
  return (
    <Combobox<string>
      id={id}
      aria-label={label}
      options={[...DIMENSION_OPTIONS, ...variableOptions()]}
      value={known ?? (value ? { value, label: value } : null)}
      placeholder="Choose a dimension"
      // No free text: typing a label and pressing Enter must pick the dimension, not a made-up value.
      // Dashboard variables are listed as options.
      width={width}
      onChange={(option) => onChange(option.value)}
    />
  );
}

export interface TextInputProps {
  id: string;
  label: string;
  value: string | undefined;
  placeholder?: string;
  width?: number;
  invalid?: boolean;
  /** Called once editing is done (blur or Enter), not on every key. */
  onCommit: (value: string) => void;
}

/** A text field that reports its value when the user leaves it or presses Enter. */
export function TextInput({ id, label, value, placeholder, width = 30, invalid, onCommit }: TextInputProps) {
  const [draft, setDraft] = useState(value ?? '');
  // A new value from outside (another editor, a reset) replaces what is being typed.
  const [shown, setShown] = useState(value);
  if (shown !== value) {
    setShown(value);
    setDraft(value ?? '');
  }
  const commit = () => {
    const trimmed = draft.trim();
    if (trimmed !== (value ?? '')) {
      onCommit(trimmed);
    }
  };
  return (
    <Input
      id={id}
      aria-label={label}
      value={draft}
      placeholder={placeholder}
      width={width}
      invalid={invalid}
      onChange={(event) => setDraft(event.currentTarget.value)}
      onBlur={commit}
      onKeyDown={(event) => {
        if (event.key === 'Enter') {
          commit();
        }
      }}
    />
  );
}

export interface NumberInputProps {
  id: string;
  label: string;
  value: number | undefined;
  placeholder?: string;
  min?: number;
  max?: number;
  width?: number;
  /** Called with the new number, or undefined when the field was cleared (the default applies). */
  onCommit: (value: number | undefined) => void;
}

/** A whole-number field; out-of-range or non-numeric text is marked invalid and not committed. */
export function NumberInput({ id, label, value, placeholder, min = 0, max, width = 12, onCommit }: NumberInputProps) {
  const [draft, setDraft] = useState(value === undefined ? '' : String(value));
  const [shown, setShown] = useState(value);
  if (shown !== value) {
    setShown(value);
    setDraft(value === undefined ? '' : String(value));
  }
  const parsed = draft.trim() === '' ? undefined : Number(draft);
  const invalid =
    parsed !== undefined && (!Number.isInteger(parsed) || parsed < min || (max !== undefined && parsed > max));
  const commit = () => {
    if (!invalid && parsed !== value) {
      onCommit(parsed);
    }
  };
  return (
    <Input
      id={id}
      aria-label={label}
      type="number"
      value={draft}
      min={min}
      max={max}
      placeholder={placeholder}
      width={width}
      invalid={invalid}
      onChange={(event) => setDraft(event.currentTarget.value)}
      onBlur={commit}
      onKeyDown={(event) => {
        if (event.key === 'Enter') {
          commit();
        }
      }}
    />
  );
}
