import React from 'react';
import { css } from '@emotion/css';
import type { GrafanaTheme2 } from '@grafana/data';
import {
  Button,
  Combobox,
  type ComboboxOption,
  FieldSet,
  FieldValidationMessage,
  IconButton,
  InlineField,
  InlineFieldRow,
  RadioButtonGroup,
  Stack,
  TagsInput,
  Text,
  useStyles2,
} from '@grafana/ui';

import { DEFAULT_OUTCOME_RULES, type OutcomeRule, type OutcomeRules, validateOutcomeRules } from 'shared/settings';
import type { SectionProps } from './types';

const OUTCOME_OPTIONS: Array<ComboboxOption<string>> = [
  { value: 'allowed', label: 'Allowed' },
  { value: 'blocked', label: 'Blocked' },
  { value: 'wouldBlock', label: 'Would block' },
  { value: 'unmatched', label: 'Unmatched' },
];

type Tri = 'any' | 'yes' | 'no';
const TRI_OPTIONS: Array<{ value: Tri; label: string }> = [
  { value: 'any', label: 'Any' },
  { value: 'yes', label: 'Yes' },
  { value: 'no', label: 'No' },
];

const toTri = (value: boolean | undefined): Tri => (value === undefined ? 'any' : value ? 'yes' : 'no');
const fromTri = (value: Tri): boolean | undefined => (value === 'any' ? undefined : value === 'yes');

const LABEL_WIDTH = 18;

/** How each record's outcome is derived: ordered rules, the first match winning. */
export function OutcomeRulesSection({ jsonData, onChange }: SectionProps) {
  const styles = useStyles2(getStyles);
  const custom = jsonData.outcomeRules !== undefined;
  const rules: Required<OutcomeRules> = {
    rules: jsonData.outcomeRules?.rules ?? DEFAULT_OUTCOME_RULES.rules,
    otherwise: jsonData.outcomeRules?.otherwise || DEFAULT_OUTCOME_RULES.otherwise,
  };
  const problems = validateOutcomeRules(jsonData.outcomeRules);

  const setRules = (next: Required<OutcomeRules>) => onChange({ outcomeRules: next });
  const updateRule = (index: number, patch: Partial<OutcomeRule>) => {
    const next = rules.rules.map((rule, i) => (i === index ? withoutEmpty({ ...rule, ...patch }) : rule));
    setRules({ ...rules, rules: next });
  };
  const move = (index: number, by: number) => {
    const next = [...rules.rules];
    const [rule] = next.splice(index, 1);
    next.splice(index + by, 0, rule);
    setRules({ ...rules, rules: next });
  };

  return (
    <FieldSet label="Outcome rules">
      <Text color="secondary" variant="bodySmall" element="p">
        The firewall writes no outcome; each record gets the outcome of the first rule whose conditions all hold
        (&quot;Any&quot; and empty lists match everything), else the &quot;otherwise&quot; outcome.
        {custom ? '' : ' These are the built-in rules; edit them to change how records are classified.'}
      </Text>
      <Stack direction="column" gap={1}>
        {rules.rules.map((rule, index) => {
          const name = `Rule ${index + 1}`;
          return (
            <section key={index} aria-label={name} className={styles.rule}>
              <InlineFieldRow>
                <InlineField label={`${name}: outcome`} labelWidth={LABEL_WIDTH}>
                  <Combobox<string>
                    id={`apifw-rule-${index}-outcome`}
                    options={OUTCOME_OPTIONS}
                    value={rule.outcome}
                    width={18}
                    onChange={(option) => updateRule(index, { outcome: option.value })}
                  />
                </InlineField>
                <Stack direction="row" gap={0.5}>
                  <IconButton
                    name="arrow-up"
                    aria-label={`Move ${name.toLowerCase()} up`}
                    disabled={index === 0}
                    onClick={() => move(index, -1)}
                  />
                  <IconButton
                    name="arrow-down"
                    aria-label={`Move ${name.toLowerCase()} down`}
                    disabled={index === rules.rules.length - 1}
                    onClick={() => move(index, 1)}
                  />
                  <IconButton
                    name="trash-alt"
                    aria-label={`Remove ${name.toLowerCase()}`}
                    onClick={() => setRules({ ...rules, rules: rules.rules.filter((_, i) => i !== index) })}
                  />
                </Stack>
              </InlineFieldRow>
              <InlineFieldRow>
                <TriField
                  label="From api-unknown file"
                  name={name}
                  value={rule.unknownSource}
                  onChange={(unknownSource) => updateRule(index, { unknownSource })}
                />
                <TriField
                  label="Has errors"
                  name={name}
                  value={rule.hasErrors}
                  onChange={(hasErrors) => updateRule(index, { hasErrors })}
                />
                <TriField
                  label="Non-blocking mode"
                  name={name}
                  value={rule.nonBlocking}
                  onChange={(nonBlocking) => updateRule(index, { nonBlocking })}
                />
              </InlineFieldRow>
              <InlineFieldRow>
                <InlineField
                  label="API is"
                  labelWidth={LABEL_WIDTH}
                  tooltip='API ids; "n/a" and an empty one mark unmatched traffic'
                >
                  <TagsInput
                    id={`apifw-rule-${index}-api`}
                    tags={rule.api}
                    placeholder="API id, Enter"
                    addOnBlur
                    autoColors={false}
                    width={26}
                    onChange={(api) => updateRule(index, { api })}
                  />
                </InlineField>
                <InlineField label="Status is" labelWidth={LABEL_WIDTH} tooltip="Codes (429) or classes (4xx)">
                  <TagsInput
                    id={`apifw-rule-${index}-status`}
                    tags={rule.status}
                    placeholder="429 or 4xx, Enter"
                    addOnBlur
                    autoColors={false}
                    width={26}
                    onChange={(status) => updateRule(index, { status })}
                  />
                </InlineField>
                <InlineField label="Error step is" labelWidth={LABEL_WIDTH} tooltip="Some error has one of these steps">
                  <TagsInput
                    id={`apifw-rule-${index}-errorStep`}
                    tags={rule.errorStep}
                    placeholder="rate_limiting, Enter"
                    addOnBlur
                    autoColors={false}
                    width={26}
                    onChange={(errorStep) => updateRule(index, { errorStep })}
                  />
                </InlineField>
                <InlineField
                  label="Blocking level is"
                  labelWidth={LABEL_WIDTH}
                  tooltip="blocking_level values (-1: missing)"
                >
                  <TagsInput
                    id={`apifw-rule-${index}-blockingLevel`}
                    tags={rule.blockingLevel?.map(String)}
                    placeholder="number, Enter"
                    addOnBlur
                    autoColors={false}
                    width={26}
                    onChange={(levels) => updateRule(index, { blockingLevel: levels.map(Number) })}
                  />
                </InlineField>
              </InlineFieldRow>
            </section>
          );
        })}
        <InlineFieldRow>
          <InlineField label="Otherwise" labelWidth={LABEL_WIDTH} tooltip="The outcome of a record no rule matches">
            <Combobox<string>
              id="apifw-rules-otherwise"
              options={OUTCOME_OPTIONS}
              value={rules.otherwise}
              width={18}
              onChange={(option) => setRules({ ...rules, otherwise: option.value })}
            />
          </InlineField>
        </InlineFieldRow>
        <Stack direction="row" gap={1}>
          <Button
            variant="secondary"
            size="sm"
            icon="plus"
            onClick={() => setRules({ ...rules, rules: [...rules.rules, { outcome: 'blocked', hasErrors: true }] })}
          >
            Add rule
          </Button>
          <Button
            variant="secondary"
            size="sm"
            icon="history"
            disabled={!custom}
            onClick={() => onChange({ outcomeRules: undefined })}
          >
            Reset to defaults
          </Button>
        </Stack>
        {problems.length > 0 && (
          <div role="alert" aria-label="Outcome rules problems">
            {problems.map((message) => (
              <FieldValidationMessage key={message}>{message}</FieldValidationMessage>
            ))}
          </div>
        )}
      </Stack>
    </FieldSet>
  );
}

function TriField({
  label,
  name,
  value,
  onChange,
}: {
  label: string;
  name: string;
  value: boolean | undefined;
  onChange: (value: boolean | undefined) => void;
}) {
  return (
    <InlineField label={label} labelWidth={LABEL_WIDTH}>
      <RadioButtonGroup<Tri>
        aria-label={`${name}: ${label}`}
        options={TRI_OPTIONS}
        value={toTri(value)}
        onChange={(tri) => onChange(fromTri(tri))}
      />
    </InlineField>
  );
}

/** Drops unset conditions so the saved JSON is ingest.OutcomeRule's, with omitempty. */
function withoutEmpty(rule: OutcomeRule): OutcomeRule {
  const cleaned: OutcomeRule = { outcome: rule.outcome };
  for (const key of ['unknownSource', 'hasErrors', 'nonBlocking'] as const) {
    if (rule[key] !== undefined) {
      cleaned[key] = rule[key];
    }
  }
  for (const key of ['api', 'status', 'errorStep'] as const) {
    const values = rule[key];
    if (values && values.length > 0) {
      cleaned[key] = values;
    }
  }
  if (rule.blockingLevel && rule.blockingLevel.length > 0) {
    cleaned.blockingLevel = rule.blockingLevel;
  }
  return cleaned;
}

const getStyles = (theme: GrafanaTheme2) => ({
  rule: css({
    padding: theme.spacing(1),
    border: `1px solid ${theme.colors.border.weak}`,
    borderRadius: theme.shape.radius.default,
  }),
});
