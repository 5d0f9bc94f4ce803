import React, { useEffect, useState } from 'react';
import { getBackendSrv } from '@grafana/runtime';
import { css } from '@emotion/css';
import type { GrafanaTheme2 } from '@grafana/data';
import { Card, Stack, TagList, Text, useStyles2 } from '@grafana/ui';

import { DASHBOARD_TAG } from 'shared/constants';
import { safeUrl } from 'shared/sanitize';
import { requestErrorMessage } from '../api';
import { isRecord } from '../health';

export interface DashboardLink {
  uid: string;
  title: string;
  url?: string;
  tags: string[];
}

/** Dashboards from /api/search, only safe links kept. */
export function parseDashboards(body: unknown): DashboardLink[] {
  return (Array.isArray(body) ? body : [])
    .filter(isRecord)
    .map((item) => ({
      uid: String(item.uid ?? ''),
      title: String(item.title ?? ''),
      url: safeUrl(item.url),
      tags: Array.isArray(item.tags) ? item.tags.map(String) : [],
    }))
    .sort((a, b) => a.title.localeCompare(b.title));
}

/** The bundled dashboards (tag apifw-monitor) as cards linking to them. */
export function DashboardsList() {
  const styles = useStyles2(getStyles);
  const [dashboards, setDashboards] = useState<DashboardLink[]>();
  const [error, setError] = useState<string>();
  useEffect(() => {
    let cancelled = false;
    Promise.resolve()
      .then(() =>
        getBackendSrv().get('/api/search', { type: 'dash-db', tag: DASHBOARD_TAG }, undefined, {
          showErrorAlert: false,
        })
      )
      .then(
        (body: unknown) => !cancelled && setDashboards(parseDashboards(body)),
        (failure: unknown) => !cancelled && setError(requestErrorMessage(failure))
      );
    return () => {
      cancelled = true;
    };
  }, []);

  return (
    <Stack direction="column" gap={1}>
      <Text element="h2" variant="h4">
        Dashboards
      </Text>
      {error ? (
        <Text color="secondary">Could not list the dashboards: {error}</Text>
      ) : dashboards === undefined ? null : dashboards.length === 0 ? (
        <Text color="secondary">
          No bundled dashboard is installed yet: enable the app and import its dashboards from the data source&apos;s
          Dashboards tab.
        </Text>
      ) : (
        <ul aria-label="Dashboards" className={styles.list}>
          {dashboards.map((dashboard) => (
            <li key={dashboard.uid}>
              <Card href={dashboard.url} noMargin>
                <Card.Heading>{dashboard.title}</Card.Heading>
                <Card.Tags>
                  <TagList tags={dashboard.tags} />
                </Card.Tags>
              </Card>
            </li>
          ))}
        </ul>
      )}
    </Stack>
  );
}

const getStyles = (theme: GrafanaTheme2) => ({
  list: css({ listStyle: 'none', margin: 0, padding: 0, display: 'grid', gap: theme.spacing(1) }),
});
