import { DataSourcePlugin } from '@grafana/data';

import type { ApifwQuery } from 'shared/query';
import type { ApifwDataSourceOptions } from 'shared/settings';
import { ConfigEditor } from './components/ConfigEditor';
import { QueryEditor } from './components/QueryEditor';
import { DataSource } from './datasource';

export const plugin = new DataSourcePlugin<DataSource, ApifwQuery, ApifwDataSourceOptions>(DataSource)
  .setConfigEditor(ConfigEditor)
  .setQueryEditor(QueryEditor);
