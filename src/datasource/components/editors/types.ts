import type { CoreApp, TimeRange } from '@grafana/data';

import type { ApifwQuery } from 'shared/query';
import type { DataSource } from '../../datasource';

/** What every per-type editor gets from the query editor. */
export interface TypeEditorProps {
  query: ApifwQuery;
  datasource: DataSource;
  range?: TimeRange;
  app?: CoreApp;
  /** Replaces the query and runs it. */
  onChange: (query: ApifwQuery) => void;
}

export const LABEL_WIDTH = 16;
