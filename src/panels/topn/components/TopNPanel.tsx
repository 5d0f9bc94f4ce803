import React from 'react';
import type { PanelProps } from '@grafana/data';

import { PanelFrames } from 'shared/PanelFrames';
import { DEFAULT_TOPN_LIMIT, type TopNPanelOptions } from '../types';

export type TopNPanelProps = PanelProps<TopNPanelOptions>;

/** Lists the top rows of each result frame; a topN query already returns rows ranked by count. */
export function TopNPanel(props: TopNPanelProps) {
  const limit = sanitiseLimit(props.options.limit);
  return <PanelFrames panelProps={props} frames={props.data.series} maxRowsPerFrame={limit} />;
}

// Saved dashboards may hold anything in options; fall back to the default for nonsense values.
function sanitiseLimit(limit: unknown): number {
  return typeof limit === 'number' && Number.isFinite(limit) && limit >= 1 ? Math.floor(limit) : DEFAULT_TOPN_LIMIT;
}
