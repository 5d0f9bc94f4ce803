import React, { useState } from 'react';
import type { AppPluginMeta, PluginConfigPageProps, PluginMeta } from '@grafana/data';
import { getBackendSrv, locationService } from '@grafana/runtime';
import { Alert, Button, FieldSet, Stack, Text } from '@grafana/ui';

import { APP_PLUGIN_ID } from 'shared/constants';
import { DataSourceConnection } from '../components/DataSourceConnection';
import { describeError } from '../health';
import { useMonitorDataSources } from '../useMonitorDataSources';

/** The app keeps no settings of its own yet; whatever jsonData holds is passed back unchanged. */
export type AppJsonData = Record<string, unknown>;

export interface AppConfigPageProps extends PluginConfigPageProps<AppPluginMeta<AppJsonData>> {}

type AppSettingsUpdate = Pick<PluginMeta<AppJsonData>, 'enabled' | 'pinned' | 'jsonData'>;

async function updateAppSettings(update: AppSettingsUpdate) {
  await getBackendSrv().post(`/api/plugins/${APP_PLUGIN_ID}/settings`, update, { showErrorAlert: false });
}

/** App configuration: enable or disable the app, and reach the data source settings. */
export function AppConfigPage({ plugin }: AppConfigPageProps) {
  const { enabled, pinned, jsonData } = plugin.meta;
  const monitor = useMonitorDataSources();
  const [saving, setSaving] = useState(false);
  const [error, setError] = useState<string>();

  const setEnabled = async (enable: boolean) => {
    setSaving(true);
    setError(undefined);
    try {
      await updateAppSettings({ enabled: enable, pinned: enable ? true : Boolean(pinned), jsonData: jsonData ?? {} });
      // Grafana reads the app's enabled state at page load, so the navigation only changes after a reload.
      locationService.reload();
    } catch (updateError) {
      setError(describeError(updateError));
      setSaving(false);
    }
  };

  return (
    <Stack direction="column" gap={2}>
      <FieldSet label="Enable / disable">
        <Stack direction="column" gap={1} alignItems="flex-start">
          <Text color="secondary">
            {enabled
              ? 'The app is enabled: its pages and bundled dashboards are available.'
              : 'The app is not enabled. Enable it to add its pages to the navigation and import its dashboards.'}
          </Text>
          {error && (
            <Alert severity="error" title="Could not update the app settings">
              {error}
            </Alert>
          )}
          {enabled ? (
            <Button variant="destructive" disabled={saving} onClick={() => setEnabled(false)}>
              Disable app
            </Button>
          ) : (
            <Button variant="primary" disabled={saving} onClick={() => setEnabled(true)}>
              Enable app
            </Button>
          )}
        </Stack>
      </FieldSet>
      <FieldSet label="Data source">
        <Stack direction="column" gap={1} alignItems="flex-start">
          <Text color="secondary">
            The data source holds the log and report directories the app reads. Configure them in its settings.
          </Text>
          <DataSourceConnection monitor={monitor} />
        </Stack>
      </FieldSet>
    </Stack>
  );
}

export default AppConfigPage;
