import React from 'react';
import { css } from '@emotion/css';
import type { DataSourceInstanceSettings, GrafanaTheme2 } from '@grafana/data';
import { Alert, Badge, Button, Card, LinkButton, LoadingPlaceholder, Stack, Text, useStyles2 } from '@grafana/ui';

import { dataSourceSettingsUrl } from 'shared/constants';
import type { ApifwDataSourceOptions } from 'shared/settings';
import { type HealthCheckResult, type HealthDetails, isHealthy, type RootHealth } from '../health';
import { useDataSourceHealth } from '../useDataSourceHealth';

const numberFormat = new Intl.NumberFormat('en-US');

export function formatCount(value: number): string {
  return numberFormat.format(value);
}

interface DataSourceStatusCardProps {
  dataSource: DataSourceInstanceSettings;
}

/** What one data source instance is configured to read and what its health check found there. */
export function DataSourceStatusCard({ dataSource }: DataSourceStatusCardProps) {
  const { loading, result, recheck } = useDataSourceHealth(dataSource.uid);
  const jsonData = dataSource.jsonData as Partial<ApifwDataSourceOptions>;
  const configuredRoots = Array.isArray(jsonData.logRoots) ? jsonData.logRoots : [];

  return (
    <Card noMargin>
      <Card.Heading>{dataSource.name}</Card.Heading>
      <Card.Meta>
        {[
          `uid: ${dataSource.uid}`,
          `${configuredRoots.length} log ${configuredRoots.length === 1 ? 'directory' : 'directories'} configured`,
        ]}
      </Card.Meta>
      <Card.Tags>
        <HealthBadge loading={loading} result={result} />
      </Card.Tags>
      <Card.Description>
        {loading || !result ? (
          <LoadingPlaceholder text="Checking data source…" />
        ) : (
          <HealthReport result={result} configuredRoots={configuredRoots} />
        )}
      </Card.Description>
      <Card.Actions>
        <LinkButton href={dataSourceSettingsUrl(dataSource.uid)} icon="cog" variant="secondary">
          Open data source settings
        </LinkButton>
        <Button icon="sync" variant="secondary" onClick={recheck} disabled={loading}>
          Check again
        </Button>
      </Card.Actions>
    </Card>
  );
}

function HealthBadge({ loading, result }: { loading: boolean; result?: HealthCheckResult }) {
  if (loading || !result) {
    return <Badge color="blue" icon="fa fa-spinner" text="Checking" />;
  }
  return isHealthy(result) ? (
    <Badge color="green" icon="check" text="Healthy" />
  ) : (
    <Badge color="red" icon="exclamation-triangle" text="Not healthy" />
  );
}

function HealthReport({ result, configuredRoots }: { result: HealthCheckResult; configuredRoots: string[] }) {
  const healthy = isHealthy(result);
  return (
    <Stack direction="column" gap={2}>
      {healthy ? (
        result.message && <Text color="secondary">{result.message}</Text>
      ) : (
        <Alert severity="error" title="Health check failed">
          {result.message || 'The data source reported a problem without a message.'}
        </Alert>
      )}
      {result.details ? <HealthDetailsView details={result.details} /> : <ConfiguredRoots roots={configuredRoots} />}
    </Stack>
  );
}

function HealthDetailsView({ details }: { details: HealthDetails }) {
  const styles = useStyles2(getStyles);
  const instances = details.roots.reduce((sum, root) => sum + root.instances, 0);
  const transactionFiles = details.roots.reduce((sum, root) => sum + root.transactionFiles, 0);

  return (
    <Stack direction="column" gap={2}>
      <div className={styles.totals} aria-label="Totals">
        <Total label="Records indexed" value={details.records} />
        <Total label="Bad records" value={details.badRecords} warn={details.badRecords > 0} />
        <Total label="Log directories" value={details.roots.length} />
        <Total label="Instances" value={instances} />
        <Total label="Transaction files" value={transactionFiles} />
      </div>

      {details.roots.length === 0 ? (
        <Text color="secondary">No log directories configured yet: add them in the data source settings.</Text>
      ) : (
        <ul className={styles.list} aria-label="Log directories">
          {details.roots.map((root, index) => (
            <RootItem key={`${index}-${root.path}`} root={root} />
          ))}
        </ul>
      )}

      {details.badExamples.length > 0 && (
        <div>
          <Text element="h4" variant="h6">
            Examples of skipped records
          </Text>
          <ul className={styles.list} aria-label="Examples of skipped records">
            {details.badExamples.map((example, index) => (
              <li key={index} className={styles.badExample}>
                <span className={styles.mono}>
                  {example.file}:{example.line}
                </span>{' '}
                <Text color="secondary">{example.reason}</Text>
              </li>
            ))}
          </ul>
        </div>
      )}
    </Stack>
  );
}

function RootItem({ root }: { root: RootHealth }) {
  const styles = useStyles2(getStyles);
  return (
    <li className={styles.root}>
      <Stack direction="column" gap={0.5}>
        <span className={styles.mono}>{root.path}</span>
        <Stack direction="row" gap={1} wrap="wrap">
          <Badge color="blue" text={`${formatCount(root.instances)} instances`} />
          <Badge color="blue" text={`${formatCount(root.transactionFiles)} transaction files`} />
          <Badge color="green" text={`${formatCount(root.records)} records`} />
          <Badge
            color={root.badRecords > 0 ? 'orange' : 'darkgrey'}
            text={`${formatCount(root.badRecords)} bad records`}
          />
        </Stack>
        {root.error && <Text color="error">{root.error}</Text>}
      </Stack>
    </li>
  );
}

function ConfiguredRoots({ roots }: { roots: string[] }) {
  const styles = useStyles2(getStyles);
  if (roots.length === 0) {
    return <Text color="secondary">No log directories configured yet: add them in the data source settings.</Text>;
  }
  return (
    <ul className={styles.list} aria-label="Configured log directories">
      {roots.map((root, index) => (
        <li key={`${index}-${root}`} className={styles.mono}>
          {root}
        </li>
      ))}
    </ul>
  );
}

function Total({ label, value, warn = false }: { label: string; value: number; warn?: boolean }) {
  const styles = useStyles2(getStyles);
  return (
    <div className={styles.total}>
      <Text color={warn ? 'warning' : 'primary'} variant="h4" element="span">
        {formatCount(value)}
      </Text>
      <Text color="secondary" variant="bodySmall" element="span">
        {label}
      </Text>
    </div>
  );
}

const getStyles = (theme: GrafanaTheme2) => ({
  totals: css({
    display: 'flex',
    flexWrap: 'wrap',
    gap: theme.spacing(1),
  }),
  total: css({
    display: 'flex',
    flexDirection: 'column',
    minWidth: theme.spacing(16),
    padding: theme.spacing(1, 1.5),
    borderRadius: theme.shape.radius.default,
    border: `1px solid ${theme.colors.border.weak}`,
    background: theme.colors.background.primary,
  }),
  list: css({
    listStyle: 'none',
    margin: 0,
    padding: 0,
    display: 'flex',
    flexDirection: 'column',
    gap: theme.spacing(1),
  }),
  root: css({
    padding: theme.spacing(1),
    borderRadius: theme.shape.radius.default,
    border: `1px solid ${theme.colors.border.weak}`,
    background: theme.colors.background.primary,
  }),
  badExample: css({
    overflowWrap: 'anywhere',
  }),
  mono: css({
    fontFamily: theme.typography.fontFamilyMonospace,
    overflowWrap: 'anywhere',
  }),
});
