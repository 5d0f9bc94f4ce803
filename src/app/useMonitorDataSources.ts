import { useCallback, useState } from 'react';
import type { DataSourceInstanceSettings } from '@grafana/data';
import { getBackendSrv, getDataSourceSrv, isFetchError } from '@grafana/runtime';

import { DATASOURCE_PLUGIN_ID, DEFAULT_DATASOURCE_NAME, PROVISIONED_DATASOURCE_UID } from 'shared/constants';
import type { ApifwDataSourceOptions } from 'shared/settings';
import { describeError, isRecord } from './health';

/** All data sources of our type the user can see, the provisioned one first. */
export function findMonitorDataSources(): DataSourceInstanceSettings[] {
  const found = getDataSourceSrv().getList({ type: DATASOURCE_PLUGIN_ID });
  return [...found].sort(
    (a, b) => Number(b.uid === PROVISIONED_DATASOURCE_UID) - Number(a.uid === PROVISIONED_DATASOURCE_UID)
  );
}

export type CreateState =
  | { status: 'idle' }
  | { status: 'creating' }
  | { status: 'created'; uid: string; alreadyExisted: boolean }
  | { status: 'failed'; message: string };

/** Body of the POST that creates the data source for installs without provisioning. */
export function newDataSourceRequest() {
  const jsonData: ApifwDataSourceOptions = { logRoots: [] };
  return {
    name: DEFAULT_DATASOURCE_NAME,
    type: DATASOURCE_PLUGIN_ID,
    access: 'proxy',
    uid: PROVISIONED_DATASOURCE_UID,
    jsonData,
  };
}

/** The data sources of our type, and an idempotent action that creates one when none exists. */
export function useMonitorDataSources() {
  const [dataSources, setDataSources] = useState<DataSourceInstanceSettings[]>(findMonitorDataSources);
  const [createState, setCreateState] = useState<CreateState>({ status: 'idle' });

  const createDataSource = useCallback(async () => {
    setCreateState({ status: 'creating' });
    try {
      const response: unknown = await getBackendSrv().post('/api/datasources', newDataSourceRequest(), {
        showErrorAlert: false,
      });
      const created = isRecord(response) && isRecord(response.datasource) ? response.datasource : undefined;
      const uid = created && typeof created.uid === 'string' ? created.uid : PROVISIONED_DATASOURCE_UID;
      setCreateState({ status: 'created', uid, alreadyExisted: false });
    } catch (error) {
      // 409: a data source with this uid or name exists but the browser's list predates it.
      if (isFetchError(error) && error.status === 409) {
        setCreateState({ status: 'created', uid: PROVISIONED_DATASOURCE_UID, alreadyExisted: true });
      } else {
        setCreateState({ status: 'failed', message: describeError(error) });
        return;
      }
    }
    // Grafana keeps the data source list it loaded at start-up; refresh it so pickers see the new one.
    try {
      // reload() returns a promise in current Grafana versions even though its type says void.
      await Promise.resolve(getDataSourceSrv().reload());
    } catch {
      // The list refreshes on the next page load anyway.
    }
    setDataSources(findMonitorDataSources());
  }, []);

  return { dataSources, createState, createDataSource };
}
