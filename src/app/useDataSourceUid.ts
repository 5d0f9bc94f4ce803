import { useMemo } from 'react';

import { PROVISIONED_DATASOURCE_UID } from 'shared/constants';
import { findMonitorDataSources } from './useMonitorDataSources';

/**
 * The data source the pages read: the one a link names (`?ds=<uid>`, when it is of our type), else
 * the provisioned one when it exists, else the first of our type.
 */
export function useDataSourceUid(requested?: string | null): string {
  return useMemo(() => {
    const all = findMonitorDataSources();
    return all.find((settings) => settings.uid === requested)?.uid ?? all[0]?.uid ?? PROVISIONED_DATASOURCE_UID;
  }, [requested]);
}
