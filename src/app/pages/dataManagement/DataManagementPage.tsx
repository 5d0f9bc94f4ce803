import React, { useCallback, useEffect, useMemo, useState } from 'react';
import { css } from '@emotion/css';
import { dateTimeFormat, type GrafanaTheme2 } from '@grafana/data';
import { config, PluginPage } from '@grafana/runtime';
import {
  Alert,
  Badge,
  type BadgeColor,
  Button,
  ConfirmModal,
  Field,
  FieldSet,
  Input,
  InteractiveTable,
  LoadingPlaceholder,
  MultiCombobox,
  Stack,
  Switch,
  Text,
  TextArea,
  TimeRangeInput,
  useStyles2,
} from '@grafana/ui';
import type { CellProps } from 'react-table';

import { fetchSuggestions, requestErrorMessage, resource } from '../../api';
import { useDataSourceUid } from '../../useDataSourceUid';
import { explorerTimeRange } from '../traceExplorer/model';
import {
  type DeletionForm,
  deletionProblem,
  deletionRequest,
  describeCriteria,
  describePurge,
  emptyDeletionForm,
  isAdminUser,
  type PastDeletion,
  pastDeletions,
  type PurgedFile,
  type PurgeStatus,
  type PurgeSummary,
  purgeSummary,
} from './model';

type Preview =
  | { state: 'none' }
  | { state: 'loading' }
  | { state: 'done'; count: number; key: string }
  | { state: 'error'; message: string };
type Result =
  { state: 'none' } | { state: 'deleting' } | { state: 'done'; deleted: number } | { state: 'error'; message: string };
type Purge =
  | { state: 'none' }
  | { state: 'purging' }
  | { state: 'done'; summary: PurgeSummary }
  | { state: 'error'; message: string };

/** Right to be forgotten: delete transactions by UUID, client, API, instance and time. Admins only. */
export function DataManagementPage() {
  const admin = isAdminUser(config.bootData?.user);
  return (
    <PluginPage>
      {admin ? (
        <DataManagement />
      ) : (
        <Alert severity="info" title="Administrators only">
          Deleting transaction logs is reserved to organisation administrators.
        </Alert>
      )}
    </PluginPage>
  );
}

function DataManagement() {
  const styles = useStyles2(getStyles);
  const uid = useDataSourceUid();
  const [form, setForm] = useState<DeletionForm>(emptyDeletionForm);
  const [preview, setPreview] = useState<Preview>({ state: 'none' });
  const [confirming, setConfirming] = useState(false);
  const [result, setResult] = useState<Result>({ state: 'none' });
  const [history, setHistory] = useState<{ loading: boolean; rows: PastDeletion[]; error?: string }>({
    loading: true,
    rows: [],
  });

  const request = useMemo(() => deletionRequest(form), [form]);
  const requestKey = JSON.stringify(request);
  const problem = deletionProblem(request);
  const change = (update: Partial<DeletionForm>) => {
    setForm((current) => ({ ...current, ...update }));
    setPreview({ state: 'none' });
  };

  const loadHistory = useCallback(() => {
    resource<unknown>(uid, 'deletions').then(
      (body) => setHistory({ loading: false, rows: pastDeletions(body) }),
      (error: unknown) => setHistory({ loading: false, rows: [], error: requestErrorMessage(error) })
    );
  }, [uid]);
  useEffect(loadHistory, [loadHistory]);

  const runPreview = async () => {
    setPreview({ state: 'loading' });
    try {
      const body = await resource<{ count?: number }>(uid, 'deletions/preview', { method: 'POST', data: request });
      setPreview({ state: 'done', count: typeof body?.count === 'number' ? body.count : 0, key: requestKey });
    } catch (error) {
      setPreview({ state: 'error', message: requestErrorMessage(error) });
    }
  };

  const runDelete = async () => {
    setConfirming(false);
    setResult({ state: 'deleting' });
    try {
      const body = await resource<{ deleted?: number }>(uid, 'deletions', { method: 'POST', data: request });
      setResult({ state: 'done', deleted: typeof body?.deleted === 'number' ? body.deleted : 0 });
      setForm(emptyDeletionForm());
      setPreview({ state: 'none' });
      loadHistory();
    } catch (error) {
      setResult({ state: 'error', message: requestErrorMessage(error) });
    }
  };

  const suggest = (field: string) => async (input: string) => {
    try {
      return (await fetchSuggestions(uid, field, input)).map((value) => ({ value: value.value, label: value.label }));
    } catch {
      return input ? [{ value: input, label: input }] : [];
    }
  };
  const previewCurrent = preview.state === 'done' && preview.key === requestKey;

  const columns = useMemo(
    () => [
      {
        id: 'at',
        header: 'When',
        cell: ({ row }: CellProps<PastDeletion & { id: string }>) => (
          <span className={styles.nowrap}>{row.original.at ? dateTimeFormat(row.original.at) : '—'}</span>
        ),
      },
      {
        id: 'actor',
        header: 'By',
        cell: ({ row }: CellProps<PastDeletion & { id: string }>) => <span>{row.original.actor || '—'}</span>,
      },
      {
        id: 'count',
        header: 'Deleted',
        cell: ({ row }: CellProps<PastDeletion & { id: string }>) => (
          <span>{row.original.count.toLocaleString('en-US')}</span>
        ),
      },
      {
        id: 'criteria',
        header: 'Criteria',
        cell: ({ row }: CellProps<PastDeletion & { id: string }>) => (
          <span className={styles.breakAll}>
            {row.original.criteria.map(([name, value]) => `${name}: ${value}`).join(' · ')}
          </span>
        ),
      },
    ],
    [styles]
  );
  const historyData = useMemo(() => history.rows.map((row, index) => ({ ...row, id: String(index) })), [history.rows]);

  return (
    <Stack direction="column" gap={3}>
      <Text color="secondary">
        Delete transaction logs, for example to honour a request to be forgotten. Deleted transactions disappear from
        every query and view at once and stay deleted when the logs are read again; the log files themselves are not
        changed.
      </Text>
      <FieldSet label="What to delete" className={styles.form}>
        <Field label="Transaction UUIDs" description="One per line" noMargin>
          <TextArea
            aria-label="Transaction UUIDs"
            rows={3}
            value={form.uuids}
            onChange={(event) => change({ uuids: event.currentTarget.value })}
          />
        </Field>
        <Field label="Client IP or CIDR" noMargin>
          <Input
            aria-label="Client IP or CIDR"
            width={30}
            value={form.clientIp}
            placeholder="203.0.113.7"
            onChange={(event) => change({ clientIp: event.currentTarget.value })}
          />
        </Field>
        <Field label="APIs" noMargin>
          <MultiCombobox
            id="apifw-dm-apis"
            aria-label="APIs"
            placeholder="Any API"
            options={suggest('api')}
            value={form.apis}
            onChange={(options) => change({ apis: options.map((option) => option.value) })}
            createCustomValue
            width="auto"
            minWidth={20}
            maxWidth={60}
          />
        </Field>
        <Field label="Instances" noMargin>
          <MultiCombobox
            id="apifw-dm-instances"
            aria-label="Instances"
            placeholder="Any instance"
            options={suggest('instance')}
            value={form.instances}
            onChange={(options) => change({ instances: options.map((option) => option.value) })}
            createCustomValue
            width="auto"
            minWidth={20}
            maxWidth={60}
          />
        </Field>
        <Field label="Only in a time range" noMargin>
          <Stack direction="row" gap={1} alignItems="center" wrap="wrap">
            <Switch
              aria-label="Only in a time range"
              value={form.range !== undefined}
              onChange={(event) =>
                change({
                  range: event.currentTarget.checked ? explorerTimeRange({ from: 'now-7d', to: 'now' }) : undefined,
                })
              }
            />
            {form.range && <TimeRangeInput value={form.range} onChange={(range) => change({ range })} hideTimeZone />}
          </Stack>
        </Field>
      </FieldSet>

      <Stack direction="column" gap={1} alignItems="flex-start">
        {problem && <Text color="secondary">{problem}</Text>}
        <Stack direction="row" gap={1} wrap="wrap">
          <Button
            variant="secondary"
            icon="search"
            disabled={problem !== undefined || preview.state === 'loading'}
            onClick={runPreview}
          >
            Preview
          </Button>
          <Button
            variant="destructive"
            icon="trash-alt"
            disabled={
              !previewCurrent || result.state === 'deleting' || (preview.state === 'done' && preview.count === 0)
            }
            onClick={() => setConfirming(true)}
          >
            Delete…
          </Button>
        </Stack>
        {preview.state === 'loading' && <LoadingPlaceholder text="Counting…" />}
        {previewCurrent && preview.state === 'done' && (
          <Alert
            severity={preview.count > 0 ? 'warning' : 'info'}
            title={
              preview.count === 1
                ? '1 transaction matches'
                : `${preview.count.toLocaleString('en-US')} transactions match`
            }
            data-testid="apifw-deletion-preview"
          >
            {preview.count > 0 ? 'These transactions will be deleted when you confirm.' : 'Nothing to delete.'}
          </Alert>
        )}
        {preview.state === 'error' && (
          <Alert severity="error" title="Could not count the matching transactions">
            {preview.message}
          </Alert>
        )}
        {result.state === 'done' && (
          <Alert
            severity="success"
            title={`${result.deleted.toLocaleString('en-US')} transactions deleted`}
            onRemove={() => setResult({ state: 'none' })}
          />
        )}
        {result.state === 'error' && (
          <Alert severity="error" title="Deletion failed">
            {result.message}
          </Alert>
        )}
      </Stack>

      <ConfirmModal
        isOpen={confirming}
        title="Delete transactions"
        body={
          <Stack direction="column" gap={1}>
            <Text>
              Delete {preview.state === 'done' ? preview.count.toLocaleString('en-US') : ''} transactions matching:
            </Text>
            <ul className={styles.criteria}>
              {describeCriteria(request).map(([name, value]) => (
                <li key={name}>
                  <strong>{name}:</strong> <span className={styles.breakAll}>{value}</span>
                </li>
              ))}
            </ul>
            <Text color="secondary">This cannot be undone from Grafana.</Text>
          </Stack>
        }
        confirmText="Delete"
        onConfirm={runDelete}
        onDismiss={() => setConfirming(false)}
      />

      <section aria-label="Past deletions">
        <Stack direction="column" gap={1}>
          <Text element="h3" variant="h5">
            Past deletions
          </Text>
          {history.loading ? (
            <LoadingPlaceholder text="Loading…" />
          ) : history.error ? (
            <Alert severity="error" title="Could not list past deletions">
              {history.error}
            </Alert>
          ) : history.rows.length === 0 ? (
            <Text color="secondary">No deletion yet.</Text>
          ) : (
            <div className={styles.wrap}>
              <InteractiveTable columns={columns} data={historyData} getRowId={(row) => row.id} pageSize={20} />
            </div>
          )}
        </Stack>
      </section>

      <PurgeSection uid={uid} />
    </Stack>
  );
}

const statusColors: Record<PurgeStatus, BadgeColor> = {
  rewritten: 'green',
  clean: 'darkgrey',
  refused: 'orange',
  failed: 'red',
};

/** Rewrites the writable log files without the records already deleted. Optional and irreversible. */
function PurgeSection({ uid }: { uid: string }) {
  const styles = useStyles2(getStyles);
  const [confirming, setConfirming] = useState(false);
  const [purge, setPurge] = useState<Purge>({ state: 'none' });

  const runPurge = async () => {
    setConfirming(false);
    setPurge({ state: 'purging' });
    try {
      const body = await resource<unknown>(uid, 'purge', { method: 'POST' });
      setPurge({ state: 'done', summary: purgeSummary(body) });
    } catch (error) {
      setPurge({ state: 'error', message: requestErrorMessage(error) });
    }
  };

  const columns = useMemo(
    () => [
      {
        id: 'path',
        header: 'File',
        cell: ({ row }: CellProps<PurgedFile & { id: string }>) => (
          <span className={styles.breakAll}>{row.original.path}</span>
        ),
      },
      {
        id: 'status',
        header: 'Status',
        cell: ({ row }: CellProps<PurgedFile & { id: string }>) => (
          <Badge color={statusColors[row.original.status]} text={row.original.status} />
        ),
      },
      {
        id: 'removed',
        header: 'Removed',
        cell: ({ row }: CellProps<PurgedFile & { id: string }>) => (
          <span>{row.original.removed.toLocaleString('en-US')}</span>
        ),
      },
      {
        id: 'reason',
        header: 'Reason',
        cell: ({ row }: CellProps<PurgedFile & { id: string }>) => (
          <span className={styles.breakAll}>{row.original.reason || '—'}</span>
        ),
      },
    ],
    [styles]
  );
  const summary = purge.state === 'done' ? purge.summary : undefined;
  const fileData = useMemo(
    () => (summary?.notClean ?? []).map((file, index) => ({ ...file, id: String(index) })),
    [summary]
  );

  return (
    <section aria-label="Remove deleted records from the log files">
      <Stack direction="column" gap={1} alignItems="flex-start">
        <Text element="h3" variant="h5">
          Remove deleted records from the log files
        </Text>
        <Text color="secondary">
          Deletions already hide the records from every query and view. Purging is optional: it also rewrites the log
          files on disk without those records, and cannot be undone.
        </Text>
        <Button
          variant="destructive"
          icon="trash-alt"
          disabled={purge.state === 'purging'}
          onClick={() => setConfirming(true)}
        >
          Purge log files…
        </Button>
        {purge.state === 'purging' && <LoadingPlaceholder text="Rewriting log files…" />}
        {purge.state === 'error' && (
          <Alert severity="error" title="Purge failed">
            {purge.message}
          </Alert>
        )}
        {summary && (
          <Alert
            severity={summary.failed > 0 ? 'error' : summary.refused > 0 ? 'warning' : 'success'}
            title={describePurge(summary)}
            onRemove={() => setPurge({ state: 'none' })}
            data-testid="apifw-purge-summary"
          >
            {summary.files > 0 &&
              `${summary.files.toLocaleString('en-US')} ${summary.files === 1 ? 'file' : 'files'} checked: ${summary.rewritten.toLocaleString('en-US')} rewritten, ` +
                `${summary.clean.toLocaleString('en-US')} already clean, ${summary.refused.toLocaleString('en-US')} refused, ` +
                `${summary.failed.toLocaleString('en-US')} failed. ${summary.removed.toLocaleString('en-US')} records removed.`}
          </Alert>
        )}
        {fileData.length > 0 && (
          <div className={styles.wrap}>
            <InteractiveTable columns={columns} data={fileData} getRowId={(row) => row.id} pageSize={20} />
          </div>
        )}
      </Stack>

      <ConfirmModal
        isOpen={confirming}
        title="Purge log files"
        body={
          <Stack direction="column" gap={1}>
            <Text>Rewrite the writable log files without the records already deleted?</Text>
            <Text color="secondary">
              Archives, captured output, read-only files and files written in the last minute are left as they are. The
              removed records cannot be recovered.
            </Text>
          </Stack>
        }
        confirmText="Purge"
        onConfirm={runPurge}
        onDismiss={() => setConfirming(false)}
      />
    </section>
  );
}

const getStyles = (theme: GrafanaTheme2) => ({
  form: css({ display: 'flex', flexDirection: 'column', gap: theme.spacing(2), maxWidth: 720, margin: 0 }),
  wrap: css({ width: '100%', maxWidth: '100%', overflowX: 'auto' }),
  nowrap: css({ whiteSpace: 'nowrap' }),
  breakAll: css({ overflowWrap: 'anywhere' }),
  criteria: css({ margin: 0, paddingLeft: theme.spacing(2) }),
});

export default DataManagementPage;
