import React, { useMemo, useState } from 'react';
import { css } from '@emotion/css';
import type { GrafanaTheme2, PanelProps } from '@grafana/data';
import { PanelDataErrorView } from '@grafana/runtime';
import { Alert, LoadingPlaceholder, useStyles2 } from '@grafana/ui';

import { PROVISIONED_DATASOURCE_UID } from 'shared/constants';
import { UuidSearch } from 'shared/trace/UuidSearch';
import { TransactionDetail } from 'shared/trace/TransactionDetail';
import { useTraceLookup } from 'shared/trace/fetchTrace';
import { traceFromFrames } from 'shared/trace/model';
import type { TracePanelOptions } from '../types';

export type TracePanelProps = PanelProps<TracePanelOptions>;

/** Narrower than this, the detail uses its one-column layout. */
const COMPACT_WIDTH = 600;

/**
 * One transaction's trace: from the panel's `trace` query frames, or looked up by UUID (option,
 * dashboard variable, or the panel's own search box) through the data source's trace resource.
 */
export function TracePanel({
  data,
  options,
  replaceVariables,
  width,
  height,
  id,
  fieldConfig,
  timeZone,
}: TracePanelProps) {
  const styles = useStyles2(getStyles);
  const [searched, setSearched] = useState<string>();
  const optionUuid = replaceVariables(options.uuid ?? '').trim();
  // A search in the panel wins until the option / variable changes.
  const wanted = searched ?? (optionUuid !== '' ? optionUuid : undefined);

  const fromFrames = useMemo(() => traceFromFrames(data.series), [data.series]);
  const framesMatch = fromFrames && (wanted === undefined || fromFrames.summary.uuid === wanted);
  const dataSourceUid =
    replaceVariables(data.request?.targets?.[0]?.datasource?.uid ?? '') || PROVISIONED_DATASOURCE_UID;
  const lookup = useTraceLookup(dataSourceUid, framesMatch ? undefined : wanted);
  const compact = width < COMPACT_WIDTH;

  let body: React.ReactNode;
  if (framesMatch) {
    body = <TransactionDetail trace={fromFrames} showExplorerLink compact={compact} timeZone={timeZone} />;
  } else if (lookup.state === 'loading') {
    body = <LoadingPlaceholder text={`Looking up ${lookup.uuid}…`} />;
  } else if (lookup.state === 'done') {
    body = <TransactionDetail trace={lookup.trace} showExplorerLink compact={compact} timeZone={timeZone} />;
  } else if (lookup.state === 'notFound' || lookup.state === 'error') {
    body = (
      <Alert severity={lookup.state === 'notFound' ? 'warning' : 'error'} title="Transaction not shown">
        <span className={styles.breakAll}>{lookup.message}</span>
      </Alert>
    );
  } else if (data.errors?.length) {
    body = (
      <Alert severity="error" title="The query failed">
        {data.errors.map((error, index) => (
          <div key={index} className={styles.breakAll}>
            {error.message ?? 'Unknown error'}
          </div>
        ))}
      </Alert>
    );
  } else {
    body = (
      <PanelDataErrorView
        panelId={id}
        fieldConfig={fieldConfig}
        data={data}
        message="No transaction selected: enter a transaction UUID, set the panel's UUID option, or use a trace query."
      />
    );
  }

  return (
    <div className={styles.wrapper} style={{ width, height }} data-testid="apifw-trace-panel">
      {options.showSearch !== false && (
        <UuidSearch
          initial={wanted ?? ''}
          onSearch={(uuid) => setSearched(uuid === '' ? undefined : uuid)}
          compact={compact}
        />
      )}
      <div className={styles.body}>{body}</div>
    </div>
  );
}

const getStyles = (theme: GrafanaTheme2) => ({
  wrapper: css({
    boxSizing: 'border-box',
    '*, *::before, *::after': { boxSizing: 'border-box' },
    display: 'flex',
    flexDirection: 'column',
    gap: theme.spacing(1),
    overflow: 'hidden',
  }),
  body: css({
    flex: '1 1 auto',
    minHeight: 0,
    overflowY: 'auto',
    overflowX: 'hidden',
  }),
  breakAll: css({ overflowWrap: 'anywhere' }),
});
