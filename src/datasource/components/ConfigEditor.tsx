import React, { useMemo } from 'react';
import { css } from '@emotion/css';
import type { DataSourcePluginOptionsEditorProps, GrafanaTheme2 } from '@grafana/data';
import { Button, FieldSet, FieldValidationMessage, IconButton, Input, Label, Stack, useStyles2 } from '@grafana/ui';

import { type ApifwDataSourceOptions, validateRoots } from 'shared/settings';

export type ConfigEditorProps = DataSourcePluginOptionsEditorProps<ApifwDataSourceOptions>;

/** Data source settings: the directories on the Grafana server the backend reads. */
export function ConfigEditor({ options, onOptionsChange }: ConfigEditorProps) {
  const jsonData = options.jsonData;
  const logRoots = jsonData.logRoots ?? [];
  const reportRoots = jsonData.reportRoots ?? [];

  const updateJsonData = (patch: Partial<ApifwDataSourceOptions>) => {
    onOptionsChange({ ...options, jsonData: { ...jsonData, logRoots, ...patch } });
  };

  return (
    <>
      <FieldSet label="Transaction logs">
        <RootListEditor
          idPrefix="apifw-log-root"
          label="Log directories"
          description="Absolute paths on the Grafana server. Each is either a FILES root (one sub-directory per firewall instance holding *.transaction.log files) or a directory of captured STDOUT / container log files. The Grafana server process must be able to read them."
          placeholder="/var/log/apifw"
          roots={logRoots}
          // At least one log directory is needed before the data source can answer anything.
          required
          onChange={(roots) => updateJsonData({ logRoots: roots })}
        />
      </FieldSet>
      <FieldSet label="Reports">
        <RootListEditor
          idPrefix="apifw-report-root"
          label="Report directories"
          description="Optional. Absolute paths of directories holding audit, scan and SQG report files."
          placeholder="/var/lib/apifw/reports"
          roots={reportRoots}
          required={false}
          onChange={(roots) => updateJsonData({ reportRoots: roots })}
        />
      </FieldSet>
    </>
  );
}

interface RootListEditorProps {
  idPrefix: string;
  label: string;
  description: string;
  placeholder: string;
  roots: string[];
  required: boolean;
  onChange: (roots: string[]) => void;
}

/** An editable list of directory paths with add / remove buttons and inline validation. */
function RootListEditor({ idPrefix, label, description, placeholder, roots, required, onChange }: RootListEditorProps) {
  const styles = useStyles2(getStyles);
  // An optional, empty list is valid; validateRoots reports an empty list as a problem.
  const messages = useMemo(() => (roots.length === 0 && !required ? [] : validateRoots(roots)), [roots, required]);

  const replaceRoot = (index: number, value: string) => onChange(roots.map((root, i) => (i === index ? value : root)));
  const removeRoot = (index: number) => onChange(roots.filter((_, i) => i !== index));
  const addRoot = () => onChange([...roots, '']);

  return (
    <div className={styles.container}>
      <Label htmlFor={roots.length > 0 ? `${idPrefix}-0` : undefined} description={description}>
        {label}
      </Label>
      <Stack direction="column" gap={1}>
        {roots.map((root, index) => {
          const entryLabel = `${label} ${index + 1}`;
          return (
            <Stack key={index} direction="row" gap={1} alignItems="center">
              <Input
                id={`${idPrefix}-${index}`}
                aria-label={entryLabel}
                value={root}
                placeholder={placeholder}
                width={60}
                invalid={validateRoots([root]).length > 0}
                onChange={(event) => replaceRoot(index, event.currentTarget.value)}
                // Leading and trailing spaces are never part of a directory name here; drop them once typing is done.
                onBlur={(event) => {
                  const trimmed = event.currentTarget.value.trim();
                  if (trimmed !== root) {
                    replaceRoot(index, trimmed);
                  }
                }}
              />
              <IconButton name="trash-alt" aria-label={`Remove ${entryLabel}`} onClick={() => removeRoot(index)} />
            </Stack>
          );
        })}
        <div>
          <Button variant="secondary" size="sm" icon="plus" onClick={addRoot} aria-label={`Add ${label.toLowerCase()}`}>
            Add directory
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
