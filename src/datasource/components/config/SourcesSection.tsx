import React from 'react';
import { FieldSet } from '@grafana/ui';

import { validateRoots } from 'shared/settings';
import { StringListEditor } from './StringListEditor';
import type { SectionProps } from './types';

// An optional, empty list is valid; validateRoots reports an empty list as a problem.
const validateOptionalRoots = (roots: string[]) => (roots.length === 0 ? [] : validateRoots(roots));

/** Where the logs and reports are: directories on the Grafana server. */
export function SourcesSection({ jsonData, onChange }: SectionProps) {
  const remote = jsonData.store === 'victorialogs';
  return (
    <>
      <FieldSet label="Transaction logs">
        <StringListEditor
          idPrefix="apifw-log-root"
          label="Log directories"
          description={
            remote
              ? 'Not read while the store is VictoriaLogs: the shippers on the firewall hosts read the logs. Kept for switching back to the embedded index.'
              : 'Absolute paths on the Grafana server. Each is either a FILES root (one sub-directory per firewall instance holding *.transaction.log files) or a directory of captured STDOUT / container log files. The Grafana server process must be able to read them.'
          }
          placeholder="/var/log/apifw"
          values={jsonData.logRoots ?? []}
          addText="Add directory"
          // The embedded index needs at least one log directory before it can answer anything.
          validate={remote ? validateOptionalRoots : validateRoots}
          onChange={(logRoots) => onChange({ logRoots })}
        />
      </FieldSet>
      <FieldSet label="Reports">
        <StringListEditor
          idPrefix="apifw-report-root"
          label="Report directories"
          description="Optional. Absolute paths of directories holding audit, scan and SQG report files."
          placeholder="/var/lib/apifw/reports"
          values={jsonData.reportRoots ?? []}
          addText="Add directory"
          validate={validateOptionalRoots}
          onChange={(reportRoots) => onChange({ reportRoots })}
        />
      </FieldSet>
    </>
  );
}
