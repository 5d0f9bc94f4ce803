/**
 * The alert rules' state, from Grafana's Prometheus-compatible rules API
 * (`/api/prometheus/grafana/api/v1/rules`): each group, each rule with its state (inactive /
 * pending / firing) and health, and its alert instances with labels, state and annotations.
 * Refreshed every 10 seconds.
 */
import React, { useEffect, useState } from 'react';
import { css } from '@emotion/css';
import type { GrafanaTheme2 } from '@grafana/data';
import { getBackendSrv } from '@grafana/runtime';
import {
  Alert,
  Badge,
  type BadgeColor,
  Card,
  InteractiveTable,
  Stack,
  TagList,
  Text,
  TextLink,
  useStyles2,
} from '@grafana/ui';

import { hostUrlFor } from './links';

import { TopBar } from './TopBar';

export interface RuleInstance {
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
  state: string;
  activeAt?: string;
  value?: string;
}

export interface Rule {
  name: string;
  state?: string;
  health?: string;
  lastError?: string;
  type?: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
  alerts?: RuleInstance[];
  duration?: number;
  lastEvaluation?: string;
}

export interface RuleGroup {
  name: string;
  file?: string;
  interval?: number;
  rules: Rule[];
}

export const RULES_URL = '/api/prometheus/grafana/api/v1/rules';
const REFRESH_MS = 10_000;

const STATE_COLORS: Record<string, BadgeColor> = {
  inactive: 'green',
  normal: 'green',
  pending: 'orange',
  recovering: 'orange',
  firing: 'red',
  alerting: 'red',
  nodata: 'blue',
  error: 'red',
};

function stateColor(state: string | undefined): BadgeColor {
  return STATE_COLORS[(state ?? '').toLowerCase().replace(/\s*\(.*\)$/, '')] ?? 'blue';
}

function healthColor(health: string | undefined): BadgeColor {
  return health === 'ok' ? 'green' : health === 'nodata' ? 'blue' : 'red';
}

export function AlertsPage() {
  const styles = useStyles2(getStyles);
  const [groups, setGroups] = useState<RuleGroup[]>();
  const [error, setError] = useState<string>();
  const [updated, setUpdated] = useState<Date>();

  useEffect(() => {
    let cancelled = false;
    const load = () =>
      getBackendSrv()
        .get<{ data?: { groups?: RuleGroup[] } }>(RULES_URL, undefined, undefined, { showErrorAlert: false })
        .then(
          (response) => {
            if (!cancelled) {
              setGroups(response?.data?.groups ?? []);
              setError(undefined);
              setUpdated(new Date());
            }
          },
          (failure: { data?: { message?: string }; message?: string }) => {
            if (!cancelled) {
              setError(failure?.data?.message ?? failure?.message ?? String(failure));
            }
          }
        );
    load();
    const timer = window.setInterval(load, REFRESH_MS);
    return () => {
      cancelled = true;
      window.clearInterval(timer);
    };
  }, []);

  const rules = groups?.flatMap((group) => group.rules) ?? [];
  const count = (state: string) => rules.filter((rule) => (rule.state ?? '').toLowerCase() === state).length;

  return (
    <div className={styles.page} data-testid="alerts">
      <TopBar current="alerts" />
      <main className={styles.main}>
        <Stack direction="column" gap={2}>
          <Stack direction="row" alignItems="baseline" gap={2} wrap="wrap">
            <h1 className={styles.title}>Alert rules</h1>
            <Text color="secondary">
              {groups
                ? `${rules.length} rules: ${count('firing')} firing, ${count('pending')} pending, ${count('inactive')} normal`
                : 'Loading…'}
              {updated && ` · updated ${updated.toLocaleTimeString()} (every 10 s)`}
            </Text>
          </Stack>
          {error && (
            <Alert title="Could not read the alert rules" severity="error">
              {error}
            </Alert>
          )}
          {groups?.length === 0 && <Text color="secondary">No alert rules are provisioned.</Text>}
          {groups?.map((group) => (
            <section key={`${group.file}/${group.name}`} aria-label={`Rule group ${group.name}`}>
              <h2 className={styles.group}>
                {group.file ? `${group.file} › ` : ''}
                {group.name}
                {group.interval ? (
                  <span className={styles.interval}>{` evaluated every ${group.interval} s`}</span>
                ) : null}
              </h2>
              <Stack direction="column" gap={1}>
                {group.rules.map((rule) => (
                  <RuleCard key={rule.name} rule={rule} />
                ))}
              </Stack>
            </section>
          ))}
        </Stack>
      </main>
    </div>
  );
}

function RuleCard({ rule }: { rule: Rule }) {
  const styles = useStyles2(getStyles);
  const state = rule.state ?? 'inactive';
  // A rule's own annotations are templates ({{ $labels.api }}); its instances carry them rendered.
  const summary = [rule.annotations?.summary, rule.annotations?.description].find(
    (text) => text !== undefined && !text.includes('{{')
  );
  const instances = rule.alerts ?? [];
  return (
    <Card data-testid="alert-rule" data-rule-state={state} data-rule-health={rule.health ?? ''}>
      <Card.Heading>{rule.name}</Card.Heading>
      <Card.Meta>
        {[
          <Badge key="state" color={stateColor(state)} text={state === 'inactive' ? 'Normal' : state} />,
          <Badge key="health" color={healthColor(rule.health)} text={`health: ${rule.health ?? 'unknown'}`} />,
          ...(rule.duration ? [<span key="for">{`pending period ${rule.duration} s`}</span>] : []),
          ...(rule.lastEvaluation && !rule.lastEvaluation.startsWith('0001')
            ? [<span key="eval">{`last evaluated ${new Date(rule.lastEvaluation).toLocaleTimeString()}`}</span>]
            : []),
        ]}
      </Card.Meta>
      <Card.Description>
        <Stack direction="column" gap={1}>
          {summary && <span>{summary}</span>}
          {rule.lastError && <span className={styles.error}>{rule.lastError}</span>}
          {rule.labels && Object.keys(rule.labels).length > 0 && (
            <TagList
              tags={Object.entries(rule.labels).map(([key, value]) => `${key}=${value}`)}
              className={styles.tags}
            />
          )}
          {instances.length > 0 && <Instances instances={instances} />}
        </Stack>
      </Card.Description>
    </Card>
  );
}

function Instances({ instances }: { instances: RuleInstance[] }) {
  const styles = useStyles2(getStyles);
  const rows = instances.map((instance, index) => ({ id: String(index), ...instance }));
  return (
    <InteractiveTable
      data={rows}
      getRowId={(row: (typeof rows)[number]) => row.id}
      columns={[
        {
          id: 'state',
          header: 'State',
          cell: ({ row }: { row: { original: (typeof rows)[number] } }) => (
            <Badge color={stateColor(row.original.state)} text={row.original.state} />
          ),
        },
        {
          id: 'labels',
          header: 'Labels',
          cell: ({ row }: { row: { original: (typeof rows)[number] } }) => (
            <span className={styles.mono}>
              {Object.entries(row.original.labels ?? {})
                .filter(([key]) => !key.startsWith('__'))
                .map(([key, value]) => `${key}=${value}`)
                .join(', ')}
            </span>
          ),
        },
        {
          id: 'value',
          header: 'Value',
          cell: ({ row }: { row: { original: (typeof rows)[number] } }) => (
            <span className={styles.mono}>{row.original.value ?? ''}</span>
          ),
        },
        {
          id: 'activeAt',
          header: 'Active since',
          cell: ({ row }: { row: { original: (typeof rows)[number] } }) =>
            row.original.activeAt && !row.original.activeAt.startsWith('0001')
              ? new Date(row.original.activeAt).toLocaleString()
              : '',
        },
        {
          id: 'annotations',
          header: 'Annotations',
          cell: ({ row }: { row: { original: (typeof rows)[number] } }) => (
            <Annotations annotations={row.original.annotations ?? {}} />
          ),
        },
      ]}
    />
  );
}

/** An instance's annotations; Grafana's internal ones (`__…__`) left out, links (dashboard, traces) kept in the preview. */
function Annotations({ annotations }: { annotations: Record<string, string> }) {
  const entries = Object.entries(annotations).filter(([key]) => !key.startsWith('__'));
  return (
    <Stack direction="column" gap={0.5}>
      {entries.map(([key, value]) => (
        <span key={key}>
          {`${key}: `}
          {value.startsWith('/') ? (
            <TextLink href={hostUrlFor(value) ?? value} inline>
              {value}
            </TextLink>
          ) : (
            value
          )}
        </span>
      ))}
    </Stack>
  );
}

const getStyles = (theme: GrafanaTheme2) => ({
  page: css({ minHeight: '100vh', background: theme.colors.background.canvas }),
  main: css({ padding: theme.spacing(2), maxWidth: 1400 }),
  title: css({ margin: 0, fontSize: theme.typography.h2.fontSize }),
  group: css({ fontSize: theme.typography.h4.fontSize, margin: theme.spacing(1, 0) }),
  interval: css({ color: theme.colors.text.secondary, fontSize: theme.typography.bodySmall.fontSize }),
  error: css({ color: theme.colors.error.text }),
  tags: css({ justifyContent: 'flex-start' }),
  mono: css({ fontFamily: theme.typography.fontFamilyMonospace, fontSize: theme.typography.bodySmall.fontSize }),
});
