import React, { useCallback, useEffect, useMemo, useState } from 'react';
import { useSearchParams } from 'react-router-dom';
import { css } from '@emotion/css';
import type { GrafanaTheme2, TimeRange } from '@grafana/data';
import { PluginPage } from '@grafana/runtime';
import {
  Alert,
  Button,
  Combobox,
  type ComboboxOption,
  Field,
  Input,
  LoadingPlaceholder,
  MultiCombobox,
  RadioButtonGroup,
  Stack,
  Text,
  TimeRangeInput,
  useStyles2,
} from '@grafana/ui';

import { emptyExplorerState, type ExplorerState, explorerParams, parseExplorerParams } from 'shared/explorerUrl';
import { explorerBarSpecs, type ExplorerListKey, type ExplorerTextKey } from 'shared/filters';
import { OUTCOME_LABELS, OUTCOMES } from 'shared/outcomes';
import { TransactionDetail } from 'shared/trace/TransactionDetail';
import { UuidSearch } from 'shared/trace/UuidSearch';
import { useTraceLookup } from 'shared/trace/fetchTrace';
import { fetchSuggestions, runQuery } from '../../api';
import { TransactionsTable } from '../../components/TransactionsTable';
import { useDataSourceUid } from '../../useDataSourceUid';
import {
  appliedFilters,
  explorerTimeRange,
  orderRows,
  rangeToState,
  type TransactionRow,
  transactionRows,
  transactionsQuery,
} from './model';

const METHODS = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'HEAD', 'OPTIONS'];
const STATUS_CLASSES = ['2xx', '3xx', '4xx', '5xx', '1xx'];
const LIMITS = [100, 500, 1000].map((value) => ({ value, label: `${value} newest` }));

type ListState = { state: 'loading' } | { state: 'error'; message: string } | { state: 'done'; rows: TransactionRow[] };

const toOptions = (values: string[]): Array<ComboboxOption<string>> => values.map((value) => ({ value, label: value }));

type FilterOptions = Array<ComboboxOption<string>> | ((input: string) => Promise<Array<ComboboxOption<string>>>);

/** The filter bar: the FILTER_SPECS entries with an explorer bar position, in that order. */
const BAR = explorerBarSpecs();
/** Bar filters with short values get narrower boxes. */
const NARROW = new Set<string>(['method', 'status']);

/**
 * Trace explorer: find one transaction by UUID at once, or list the newest transactions with filters.
 * The URL holds the UUID and every filter (contract §1), so a view can be shared as a link.
 */
export function TraceExplorerPage() {
  const styles = useStyles2(getStyles);
  const [searchParams, setSearchParams] = useSearchParams();
  // `ds` picks another data source of our type than the default (links from its dashboards).
  const requestedDs = searchParams.get('ds');
  const uid = useDataSourceUid(requestedDs);
  const state = useMemo(() => parseExplorerParams(searchParams), [searchParams]);
  const update = useCallback(
    (change: Partial<ExplorerState>) => {
      // Names came with the link's API ids: once the APIs change they no longer pair.
      const names = 'api' in change ? { apiName: undefined } : {};
      const next = explorerParams({ ...state, ...names, ...change });
      if (requestedDs) {
        next.set('ds', requestedDs);
      }
      setSearchParams(next);
    },
    [setSearchParams, state, requestedDs]
  );
  const range = useMemo(() => explorerTimeRange(state), [state]);
  const [blockedFirst, setBlockedFirst] = useState(true);
  const [limit, setLimit] = useState(100);
  const [answer, setAnswer] = useState<{ key: string; list: ListState }>();
  const lookup = useTraceLookup(uid, state.uuid);

  const queryKey = JSON.stringify([transactionsQuery(state, limit), state.from ?? '', state.to ?? '']);
  useEffect(() => {
    let cancelled = false;
    const key = `${uid}\n${queryKey}`;
    const [query] = JSON.parse(queryKey) as [Record<string, unknown>];
    runQuery(uid, query, range).then(
      (frames) => !cancelled && setAnswer({ key, list: { state: 'done', rows: transactionRows(frames) } }),
      (error: unknown) =>
        !cancelled &&
        setAnswer({ key, list: { state: 'error', message: error instanceof Error ? error.message : String(error) } })
    );
    return () => {
      cancelled = true;
    };
    // range follows queryKey (from/to); re-running on its identity would refetch on every render.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [uid, queryKey]);

  const list: ListState = answer?.key === `${uid}\n${queryKey}` ? answer.list : { state: 'loading' };

  const suggest = useCallback(
    (field: string) => async (input: string) => {
      try {
        const values = await fetchSuggestions(uid, field, input, range, 100);
        return values.map((value) => ({
          value: value.value,
          label: value.label,
          description: `${value.count} transactions`,
        }));
      } catch {
        // Suggestions are a convenience: without them the box still takes typed values.
        return input ? [{ value: input, label: input }] : [];
      }
    },
    [uid, range]
  );
  const listOptions = useMemo(
    (): Partial<Record<ExplorerListKey, FilterOptions>> => ({
      api: suggest('api'),
      instance: suggest('instance'),
      outcome: OUTCOMES.map((outcome) => ({ value: outcome, label: OUTCOME_LABELS[outcome] })),
      method: toOptions(METHODS),
      status: toOptions(STATUS_CLASSES),
    }),
    [suggest]
  );

  const rows = list.state === 'done' ? orderRows(list.rows, blockedFirst) : [];
  const applied = useMemo(() => appliedFilters(state), [state]);
  const filtered =
    JSON.stringify({ ...state, uuid: undefined, from: undefined, to: undefined }) !==
    JSON.stringify({ ...emptyExplorerState() });

  return (
    <PluginPage>
      <div className={styles.page}>
        <Stack direction="column" gap={2}>
          <UuidSearch initial={state.uuid ?? ''} onSearch={(uuid) => update({ uuid: uuid || undefined })} />

          {state.uuid && (
            <section className={styles.detail} aria-label="Transaction">
              <Stack direction="row" justifyContent="space-between" alignItems="center" wrap="wrap">
                <Text element="h2" variant="h4">
                  Transaction
                </Text>
                <Button size="sm" variant="secondary" icon="times" onClick={() => update({ uuid: undefined })}>
                  Close
                </Button>
              </Stack>
              {lookup.state === 'loading' || lookup.state === 'idle' ? (
                <LoadingPlaceholder text="Looking the transaction up…" />
              ) : lookup.state === 'done' ? (
                <TransactionDetail trace={lookup.trace} />
              ) : (
                <Alert severity={lookup.state === 'notFound' ? 'warning' : 'error'} title="Transaction not found">
                  <span className={styles.breakAll}>{lookup.message}</span>
                </Alert>
              )}
            </section>
          )}

          <section aria-label="Filters" className={styles.filters}>
            {BAR.map((spec) => {
              const label = spec.explorer?.label ?? spec.label;
              return (
                <Field key={spec.key} label={label} noMargin>
                  {spec.kind === 'text' ? (
                    <CommitInput
                      label={label}
                      value={state[spec.key as ExplorerTextKey] ?? ''}
                      placeholder={spec.placeholder ?? ''}
                      onCommit={(value) => update({ [spec.key]: value || undefined })}
                    />
                  ) : (
                    <MultiCombobox
                      id={`apifw-explorer-${spec.key}`}
                      aria-label={label}
                      placeholder={spec.explorer?.placeholder}
                      options={listOptions[spec.key as ExplorerListKey] ?? []}
                      value={state[spec.key as ExplorerListKey]}
                      onChange={(options) => update({ [spec.key]: options.map((option) => option.value) })}
                      createCustomValue={spec.key !== 'outcome'}
                      width="auto"
                      minWidth={NARROW.has(spec.key) ? 10 : 16}
                      maxWidth={NARROW.has(spec.key) ? 30 : 40}
                    />
                  )}
                </Field>
              );
            })}
            <Field label="Time range" noMargin>
              <TimeRangeInput value={range} onChange={(next: TimeRange) => update(rangeToState(next))} hideTimeZone />
            </Field>
          </section>

          {applied.length > 0 && (
            // What a drill-down brought, the filters without a box in the bar included.
            <section aria-label="Applied filters" className={styles.applied}>
              <Text variant="bodySmall" color="secondary">
                Filtered on
              </Text>
              {applied.map((filter) => (
                <span key={filter.key} className={styles.appliedFilter} data-filter={filter.key}>
                  <Text variant="bodySmall" color="secondary">
                    {filter.label}:
                  </Text>{' '}
                  <Text variant="bodySmall" weight="medium">
                    {filter.values.join(', ')}
                  </Text>
                </span>
              ))}
            </section>
          )}

          <Stack direction="row" gap={2} alignItems="center" wrap="wrap">
            <RadioButtonGroup
              size="sm"
              options={[
                { value: true, label: 'Blocked first' },
                { value: false, label: 'Newest first' },
              ]}
              value={blockedFirst}
              onChange={setBlockedFirst}
            />
            {/* No visible label (the options say "100 newest"…): aria-labelledby names it on 12.4, which ignores aria-label. */}
            <span id="apifw-explorer-rows-label" hidden>
              Rows
            </span>
            <Combobox
              id="apifw-explorer-rows"
              aria-label="Rows"
              aria-labelledby="apifw-explorer-rows-label"
              width={18}
              options={LIMITS}
              value={limit}
              onChange={(option) => setLimit(option.value)}
            />
            {filtered && (
              <Button
                size="sm"
                variant="secondary"
                fill="text"
                icon="times"
                onClick={() => update({ ...emptyExplorerState(), uuid: state.uuid, from: state.from, to: state.to })}
              >
                Clear filters
              </Button>
            )}
            {list.state === 'done' && (
              <Text color="secondary" variant="bodySmall">
                {list.rows.length === limit
                  ? `The ${limit} newest matching transactions`
                  : `${list.rows.length} matching transactions`}
              </Text>
            )}
          </Stack>

          {list.state === 'loading' ? (
            <LoadingPlaceholder text="Loading transactions…" />
          ) : list.state === 'error' ? (
            <Alert severity="error" title="Could not list the transactions">
              <span className={styles.breakAll}>{list.message}</span>
            </Alert>
          ) : rows.length === 0 ? (
            <Alert severity="info" title="No transactions">
              No transaction matches these filters in this time range.
            </Alert>
          ) : (
            <TransactionsTable rows={rows} onOpen={(uuid) => update({ uuid })} />
          )}
        </Stack>
      </div>
    </PluginPage>
  );
}

/** A text box that applies its value on Enter or when it loses focus, not on every key. */
function CommitInput({
  label,
  value,
  placeholder,
  onCommit,
}: {
  label: string;
  value: string;
  placeholder: string;
  onCommit: (value: string) => void;
}) {
  const [text, setText] = useState(value);
  const [shown, setShown] = useState(value);
  if (shown !== value) {
    setShown(value);
    setText(value);
  }
  const commit = () => {
    if (text.trim() !== value) {
      onCommit(text.trim());
    }
  };
  return (
    <Input
      aria-label={label}
      value={text}
      placeholder={placeholder}
      width={24}
      maxLength={1024}
      onChange={(event) => setText(event.currentTarget.value)}
      onBlur={commit}
      onKeyDown={(event) => {
        if (event.key === 'Enter') {
          commit();
        }
      }}
    />
  );
}

const getStyles = (theme: GrafanaTheme2) => ({
  page: css({ maxWidth: '100%', minWidth: 0 }),
  detail: css({
    display: 'flex',
    flexDirection: 'column',
    gap: theme.spacing(1),
    padding: theme.spacing(2),
    border: `1px solid ${theme.colors.border.weak}`,
    borderRadius: theme.shape.radius.default,
    background: theme.colors.background.secondary,
    minWidth: 0,
  }),
  filters: css({
    display: 'flex',
    flexWrap: 'wrap',
    gap: theme.spacing(1, 2),
    alignItems: 'flex-end',
  }),
  breakAll: css({ overflowWrap: 'anywhere' }),
  applied: css({
    display: 'flex',
    flexWrap: 'wrap',
    gap: theme.spacing(0.5, 1),
    alignItems: 'baseline',
  }),
  appliedFilter: css({
    padding: theme.spacing(0.25, 1),
    border: `1px solid ${theme.colors.border.weak}`,
    borderRadius: theme.shape.radius.pill,
    background: theme.colors.background.secondary,
    overflowWrap: 'anywhere',
  }),
});

export default TraceExplorerPage;
