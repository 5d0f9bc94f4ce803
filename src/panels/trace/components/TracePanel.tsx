import React, { useMemo } from 'react';
import type { DataFrame, PanelProps } from '@grafana/data';

import { PanelFrames } from 'shared/PanelFrames';
import type { TracePanelOptions } from '../types';

export type TracePanelProps = PanelProps<TracePanelOptions>;

/** Name of the field that identifies a transaction in every frame the data source returns. */
const UUID_FIELD = 'uuid';

/** Shows the frames of a transaction trace; with a UUID set, only the rows of that transaction. */
export function TracePanel(props: TracePanelProps) {
  const { data, options, replaceVariables } = props;
  const uuid = replaceVariables(options.uuid ?? '').trim();
  const frames = useMemo(
    () => (uuid === '' ? data.series : data.series.map((frame) => keepTransaction(frame, uuid))),
    [data.series, uuid]
  );

  return (
    <PanelFrames
      panelProps={props}
      frames={frames}
      emptyMessage={uuid === '' ? undefined : `No data for transaction ${uuid}`}
    />
  );
}

// Frames without a uuid field (e.g. step lists already fetched for one transaction) are kept whole.
function keepTransaction(frame: DataFrame, uuid: string): DataFrame {
  const uuidField = frame.fields.find((field) => field.name === UUID_FIELD);
  if (!uuidField) {
    return frame;
  }
  const keptRows: number[] = [];
  uuidField.values.forEach((value, rowIndex) => {
    if (String(value) === uuid) {
      keptRows.push(rowIndex);
    }
  });
  return {
    ...frame,
    length: keptRows.length,
    fields: frame.fields.map((field) => ({ ...field, values: keptRows.map((rowIndex) => field.values[rowIndex]) })),
  };
}
