import React, { useMemo } from 'react';
import { css } from '@emotion/css';
import type { GrafanaTheme2 } from '@grafana/data';
import { Button, FieldValidationMessage, IconButton, Input, Label, Stack, useStyles2 } from '@grafana/ui';

export interface StringListEditorProps {
  idPrefix: string;
  /** Names the list; each entry is "<label> <n>" for screen readers and tests. */
  label: string;
  description: React.ReactNode;
  placeholder: string;
  values: string[];
  /** Text of the add button. */
  addText: string;
  /** Messages for the whole list; shown under it. */
  validate: (values: string[]) => string[];
  onChange: (values: string[]) => void;
  width?: number;
}

/** An editable list of strings (directories, globs, header names) with inline validation. */
export function StringListEditor({
  idPrefix,
  label,
  description,
  placeholder,
  values,
  addText,
  validate,
  onChange,
  width = 60,
}: StringListEditorProps) {
  const styles = useStyles2(getStyles);
  const messages = useMemo(() => validate(values), [validate, values]);

  const replace = (index: number, value: string) => onChange(values.map((entry, i) => (i === index ? value : entry)));
  const remove = (index: number) => onChange(values.filter((_, i) => i !== index));

  return (
    <div className={styles.container}>
      <Label htmlFor={values.length > 0 ? `${idPrefix}-0` : undefined} description={description}>
        {label}
      </Label>
      <Stack direction="column" gap={1}>
        {values.map((value, index) => {
          const entryLabel = `${label} ${index + 1}`;
          return (
            <Stack key={index} direction="row" gap={1} alignItems="center">
              <Input
                id={`${idPrefix}-${index}`}
                aria-label={entryLabel}
                value={value}
                placeholder={placeholder}
                width={width}
                invalid={validate([value]).length > 0}
                onChange={(event) => replace(index, event.currentTarget.value)}
                // Leading and trailing spaces are never meant here; drop them once typing is done.
                onBlur={(event) => {
                  const trimmed = event.currentTarget.value.trim();
                  if (trimmed !== value) {
                    replace(index, trimmed);
                  }
                }}
              />
              <IconButton name="trash-alt" aria-label={`Remove ${entryLabel}`} onClick={() => remove(index)} />
            </Stack>
          );
        })}
        <div>
          <Button
            variant="secondary"
            size="sm"
            icon="plus"
            onClick={() => onChange([...values, ''])}
            aria-label={`Add ${label.toLowerCase()}`}
          >
            {addText}
          </Button>
        </div>
        {messages.length > 0 && (
          <div role="alert" aria-label={`${label} problems`} className={styles.messages}>
            {messages.map((message) => (
              <FieldValidationMessage key={message}>{message}</FieldValidationMessage>
            ))}
          </div>
        )}
      </Stack>
    </div>
  );
}

const getStyles = (theme: GrafanaTheme2) => ({
  container: css({
    marginBottom: theme.spacing(2),
  }),
  messages: css({
    display: 'flex',
    flexDirection: 'column',
    alignItems: 'flex-start',
    gap: theme.spacing(0.5),
  }),
});
