import React from 'react';
import { css } from '@emotion/css';
import type { DataFrame, GrafanaTheme2, PanelProps } from '@grafana/data';
import { PanelDataErrorView } from '@grafana/runtime';
import { useStyles2 } from '@grafana/ui';

import { FrameList } from './FrameList';

interface PanelFramesProps {
  panelProps: PanelProps;
  frames: DataFrame[];
  maxRowsPerFrame?: number;
  /** Shown instead of Grafana's default message when there is nothing to list. */
  emptyMessage?: string;
}

/** Common body of our panels: the frames as a list, or Grafana's own empty-data view. */
export function PanelFrames({ panelProps, frames, maxRowsPerFrame, emptyMessage }: PanelFramesProps) {
  const styles = useStyles2(getStyles);
  const hasRows = frames.some((frame) => frame.length > 0);

  if (!hasRows) {
    return (
      <PanelDataErrorView
        panelId={panelProps.id}
        fieldConfig={panelProps.fieldConfig}
        data={panelProps.data}
        message={emptyMessage}
      />
    );
  }

  return (
    <div className={styles.wrapper} style={{ width: panelProps.width, height: panelProps.height }}>
      <FrameList frames={frames} maxRowsPerFrame={maxRowsPerFrame} timeZone={panelProps.timeZone} />
    </div>
  );
}

const getStyles = (_theme: GrafanaTheme2) => ({
  wrapper: css({
    overflow: 'auto',
  }),
});
