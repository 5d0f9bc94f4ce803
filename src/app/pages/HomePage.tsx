import React from 'react';
import { config, PluginPage } from '@grafana/runtime';
import { LinkButton, Stack, Text } from '@grafana/ui';

import { APP_ROUTES } from 'shared/constants';
import { DashboardsList } from '../components/DashboardsList';
import { IndexingStatus } from '../components/IndexingStatus';
import { prefixRoute } from '../routing';
import { isAdminUser } from './dataManagement/model';

import { DataSourceConnection } from '../components/DataSourceConnection';
import { DataSourceStatusCard } from '../components/DataSourceStatusCard';
import { useMonitorDataSources } from '../useMonitorDataSources';

/** Status page: which data sources read which log directories, and what they found there. */
export function HomePage() {
  const monitor = useMonitorDataSources();
  const { dataSources, createState } = monitor;

  return (
    <PluginPage>
      <Stack direction="column" gap={3}>
        <Text element="p" color="secondary">
          API Firewall Monitor reads the transaction logs your API firewalls write (FILES or STDOUT) straight from disk
          and answers dashboards, Explore and alert rules through its data source.
        </Text>
        {dataSources.length === 0 || createState.status === 'created' ? (
          <DataSourceConnection monitor={monitor} />
        ) : null}
        {dataSources.length > 0 && (
          <Stack direction="column" gap={2}>
            <Text element="h2" variant="h4">
              {dataSources.length === 1 ? 'Data source' : 'Data sources'}
            </Text>
            {dataSources.map((dataSource) => (
              <DataSourceStatusCard key={dataSource.uid} dataSource={dataSource} />
            ))}
            <IndexingStatus uid={dataSources[0].uid} />
          </Stack>
        )}
        {dataSources.length > 0 && (
          <Stack direction="row" gap={1} wrap="wrap">
            <LinkButton href={prefixRoute(APP_ROUTES.traceExplorer)} icon="search" variant="secondary">
              Trace explorer
            </LinkButton>
            <LinkButton href={prefixRoute(APP_ROUTES.instances)} icon="sitemap" variant="secondary">
              Instances
            </LinkButton>
            {isAdminUser(config.bootData?.user) && (
              <LinkButton href={prefixRoute(APP_ROUTES.dataManagement)} icon="trash-alt" variant="secondary">
                Data management
              </LinkButton>
            )}
          </Stack>
        )}
        <DashboardsList />
      </Stack>
    </PluginPage>
  );
}

export default HomePage;
