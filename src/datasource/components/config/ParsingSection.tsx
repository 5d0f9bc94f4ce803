import React from 'react';
import { css } from '@emotion/css';
import type { GrafanaTheme2 } from '@grafana/data';
import {
  ControlledCollapse,
  FieldSet,
  FieldValidationMessage,
  InlineField,
  InlineSwitch,
  Input,
  RadioButtonGroup,
  Stack,
  Text,
  useStyles2,
} from '@grafana/ui';

import {
  DEFAULT_JSON_PATHS,
  DEFAULT_STDOUT_FILES,
  type EpochUnit,
  type JsonPaths,
  validateGlobs,
  validateJsonPaths,
} from 'shared/settings';
import { StringListEditor } from './StringListEditor';
import type { SectionProps } from './types';

const EPOCH_UNITS: Array<{ value: EpochUnit; label: string; description: string }> = [
  { value: '', label: 'Detect', description: 'from the magnitude of the number' },
  { value: 's', label: 'Seconds', description: '1.7e9' },
  { value: 'ms', label: 'Milliseconds', description: '1.7e12' },
  { value: 'us', label: 'Microseconds', description: '1.7e15 (firewall v1.0.25)' },
  { value: 'ns', label: 'Nanoseconds', description: '1.7e18' },
];

const validateIncludeGlobs = (globs: string[]) => validateGlobs(globs, 'Pattern');

/** Which JSON key each indexed field is read from, with what it means. */
const JSON_PATH_FIELDS: Array<{ key: keyof JsonPaths; label: string }> = [
  { key: 'uuid', label: 'Transaction id' },
  { key: 'dateEpoch', label: 'Time (epoch)' },
  { key: 'dateRfc8601', label: 'Time (text)' },
  { key: 'duration', label: 'Duration' },
  { key: 'instance', label: 'Instance name' },
  { key: 'api', label: 'API id' },
  { key: 'apiName', label: 'API name' },
  { key: 'nonBlocking', label: 'Non-blocking mode' },
  { key: 'blockingLevel', label: 'Blocking level' },
  { key: 'sourceIp', label: 'Client IP' },
  { key: 'hostname', label: 'Hostname' },
  { key: 'method', label: 'Method' },
  { key: 'uriPath', label: 'Path' },
  { key: 'oasPath', label: 'Operation' },
  { key: 'status', label: 'Status' },
  { key: 'errors', label: 'Errors array' },
  { key: 'errorStep', label: 'Error: step' },
  { key: 'errorDepth', label: 'Error: depth' },
  { key: 'errorState', label: 'Error: state' },
  { key: 'errorToken', label: 'Error: token' },
  { key: 'errorMessage', label: 'Error: message' },
];

/** How log files are found and records read: time unit, file globs, JSON paths. */
export function ParsingSection({ jsonData, onChange }: SectionProps) {
  const styles = useStyles2(getStyles);
  const stdoutDefault = jsonData.stdoutFiles === undefined;
  const paths = jsonData.jsonPaths ?? {};
  const pathProblems = validateJsonPaths(paths);
  const customPaths = Object.values(paths).some((value) => value);

  const setPath = (key: keyof JsonPaths, value: string) => {
    const next: JsonPaths = { ...paths, [key]: value };
    if (value.trim() === '') {
      delete next[key];
    }
    onChange({ jsonPaths: Object.keys(next).length > 0 ? next : undefined });
  };

  return (
    <FieldSet label="Reading the logs">
      <InlineField
        label="date_epoch unit"
        labelWidth={22}
        tooltip="The unit of the records' date_epoch field. Detect reads it from the magnitude of the number."
      >
        <RadioButtonGroup<EpochUnit>
          aria-label="date_epoch unit"
          options={EPOCH_UNITS}
          value={jsonData.dateEpochUnit ?? ''}
          onChange={(dateEpochUnit) => onChange({ dateEpochUnit: dateEpochUnit || undefined })}
        />
      </InlineField>
      <div className={styles.gap} />
      <StringListEditor
        idPrefix="apifw-include"
        label="Include"
        description="Optional globs on the path relative to a log directory: only matching files are read (fw-1/api-*.transaction.log). A pattern without / matches the file name at any depth; ** matches any number of directories."
        placeholder="**/*.transaction.log"
        values={jsonData.include ?? []}
        addText="Add pattern"
        validate={validateIncludeGlobs}
        onChange={(include) => onChange({ include: include.length > 0 ? include : undefined })}
      />
      <StringListEditor
        idPrefix="apifw-exclude"
        label="Exclude"
        description="Optional globs of files never read (**/old.*)."
        placeholder="**/old.*"
        values={jsonData.exclude ?? []}
        addText="Add pattern"
        validate={validateIncludeGlobs}
        onChange={(exclude) => onChange({ exclude: exclude.length > 0 ? exclude : undefined })}
      />
      <InlineField
        label="Default STDOUT files"
        labelWidth={22}
        tooltip={`Captured console output is read from files named ${DEFAULT_STDOUT_FILES.join(', ')}`}
      >
        <InlineSwitch
          id="apifw-stdout-default"
          aria-label="Default STDOUT files"
          value={stdoutDefault}
          onChange={(event) =>
            onChange({ stdoutFiles: event.currentTarget.checked ? undefined : [...DEFAULT_STDOUT_FILES] })
          }
        />
      </InlineField>
      {!stdoutDefault && (
        <StringListEditor
          idPrefix="apifw-stdout"
          label="STDOUT files"
          description="Globs naming captured STDOUT files (console text, Docker json-file or CRI lines). An empty list turns STDOUT reading off."
          placeholder="*.stdout.log"
          values={jsonData.stdoutFiles ?? []}
          addText="Add pattern"
          validate={validateIncludeGlobs}
          onChange={(stdoutFiles) => onChange({ stdoutFiles })}
        />
      )}
      <InlineField
        label="Vhost error logs"
        labelWidth={22}
        tooltip="Also read the transactions the firewall writes into vh-<uid>.error.log at info level (transaction[<uuid>]: {json} lines). Use it where the transaction logs are named pipes: those lines are then the only persistent copy. A transaction also found in a transaction file is kept once."
      >
        <InlineSwitch
          id="apifw-error-log-transactions"
          aria-label="Read transactions from vhost error logs"
          value={jsonData.errorLogTransactions ?? false}
          onChange={(event) => onChange({ errorLogTransactions: event.currentTarget.checked || undefined })}
        />
      </InlineField>
      <ControlledCollapse label="JSON paths of the record fields" isOpen={customPaths || pathProblems.length > 0}>
        <Stack direction="column" gap={0}>
          <Text color="secondary" variant="bodySmall">
            Dotted paths from the record&apos;s top-level object. Empty fields keep the default shown. The error paths
            are relative to one entry of the errors array. The instance name comes from the instance path, else the
            instance folder&apos;s name.
          </Text>
          <div className={styles.paths}>
            {JSON_PATH_FIELDS.map(({ key, label }) => (
              <InlineField key={key} label={label} labelWidth={20} tooltip={`jsonPaths.${key}`}>
                <Input
                  id={`apifw-json-path-${key}`}
                  aria-label={`JSON path of ${label}`}
                  value={paths[key] ?? ''}
                  placeholder={DEFAULT_JSON_PATHS[key]}
                  width={24}
                  onChange={(event) => setPath(key, event.currentTarget.value)}
                />
              </InlineField>
            ))}
          </div>
          {pathProblems.length > 0 && (
            <div role="alert" aria-label="JSON paths problems">
              {pathProblems.map((message) => (
                <FieldValidationMessage key={message}>{message}</FieldValidationMessage>
              ))}
            </div>
          )}
        </Stack>
      </ControlledCollapse>
    </FieldSet>
  );
}

const getStyles = (theme: GrafanaTheme2) => ({
  gap: css({ height: theme.spacing(2) }),
  paths: css({
    display: 'grid',
    gridTemplateColumns: 'repeat(auto-fill, minmax(360px, 1fr))',
    columnGap: theme.spacing(2),
    marginTop: theme.spacing(1),
  }),
});
