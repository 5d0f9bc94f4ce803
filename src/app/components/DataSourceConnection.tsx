import React from 'react';
import { Alert, Button, LinkButton, Stack, Text } from '@grafana/ui';

import { dataSourceSettingsUrl } from 'shared/constants';
import { useMonitorDataSources } from '../useMonitorDataSources';

type MonitorDataSources = ReturnType<typeof useMonitorDataSources>;

interface DataSourceConnectionProps {
  monitor: MonitorDataSources;
}

/**
 * The "create / connect data source" action: opens the settings of an existing data source of our
 * type, or creates one with the fixed uid for installs without provisioning.
 */
export function DataSourceConnection({ monitor }: DataSourceConnectionProps) {
  const { dataSources, createState, createDataSource } = monitor;

  if (createState.status === 'created') {
    return (
      <Stack direction="column" gap={1} alignItems="flex-start">
        <Alert
          severity="success"
          title={createState.alreadyExisted ? 'Data source already exists' : 'Data source created'}
        >
          Add the directories that hold your firewall logs in its settings.
        </Alert>
        <LinkButton href={dataSourceSettingsUrl(createState.uid)} icon="cog">
          Open data source settings
        </LinkButton>
      </Stack>
    );
  }

  if (dataSources.length > 0) {
    return (
      <Stack direction="row" gap={1} wrap="wrap">
        {dataSources.map((dataSource) => (
          <LinkButton key={dataSource.uid} href={dataSourceSettingsUrl(dataSource.uid)} icon="cog" variant="secondary">
            {dataSources.length === 1 ? 'Open data source settings' : `Open settings of ${dataSource.name}`}
          </LinkButton>
        ))}
      </Stack>
    );
  }

  return (
    <Stack direction="column" gap={1} alignItems="flex-start">
      <Text color="secondary">
        No API Firewall Monitor data source exists yet. Create one, then point it at your firewall log directories.
      </Text>
      {createState.status === 'failed' && (
        <Alert severity="error" title="Could not create the data source">
          {createState.message}
        </Alert>
      )}
      <Button icon="plus" onClick={createDataSource} disabled={createState.status === 'creating'}>
        {createState.status === 'creating' ? 'Creating data source…' : 'Create data source'}
      </Button>
    </Stack>
  );
}
