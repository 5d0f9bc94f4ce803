/**
 * A dashboard as Grafana shows it: title and links, time range picker and refresh, the template
 * variables, and the panel grid, each panel in Grafana's PanelChrome with its queries run through
 * the real data source. The URL holds the state (from, to, var-*, refresh) as in Grafana, so
 * drill-downs that set a variable (`locationService.partial`) work.
 */
import React, { useCallback, useEffect, useMemo, useState } from 'react';
import { css } from '@emotion/css';
import { type AdHocVariableFilter, type GrafanaTheme2, type SelectableValue, type TimeRange } from '@grafana/data';
import { getBackendSrv, locationService } from '@grafana/runtime';
import {
  Button,
  Icon,
  Input,
  LinkButton,
  MultiSelect,
  RefreshPicker,
  Select,
  Stack,
  TimeRangePicker,
  Tooltip,
  useStyles2,
} from '@grafana/ui';

import { dashboardUrl, hostUrlFor } from './links';
import { type DashboardModel, layout, type LaidOut, parseTimeRange, rangeToUrl, visiblePanels } from './model';
import { DashboardPanel } from './DashboardPanel';
import { TopBar } from './TopBar';
import { ALL_VALUE, type HostVariable, hostTemplateSrv } from './templateSrv';
import { formatAdhocFilter, resolveVariables, urlValues } from './variables';

/** The URL's query, updated on every navigation through locationService (Grafana's own URL state). */
function useSearch(): URLSearchParams {
  const [search, setSearch] = useState(() => locationService.getSearch());
  useEffect(
    () =>
      locationService.getHistory().listen(() => {
        setSearch(locationService.getSearch());
      }),
    []
  );
  return search;
}

/** The width of an element, kept up to date (a callback ref: its type is the same in React 18 and 19). */
function useWidth<T extends HTMLElement>(): [(element: T | null) => void, number] {
  const [element, setElement] = useState<T | null>(null);
  const [width, setWidth] = useState(0);
  useEffect(() => {
    if (!element) {
      return;
    }
    const observer = new ResizeObserver(() => setWidth(Math.floor(element.clientWidth)));
    observer.observe(element);
    return () => observer.disconnect();
  }, [element]);
  return [setElement, width];
}

const REFRESH_OFF = '';

export function DashboardPage({ dashboard, theme }: { dashboard: DashboardModel; theme: GrafanaTheme2 }) {
  const styles = useStyles2(getStyles);
  const search = useSearch();
  const from = search.get('from');
  const to = search.get('to');
  const [refreshCount, setRefreshCount] = useState(0);
  // Relative ranges are evaluated again on each refresh.
  const range = useMemo(
    () => parseTimeRange(from, to, dashboard.time),
    // eslint-disable-next-line react-hooks/exhaustive-deps
    [from, to, dashboard.time, refreshCount]
  );
  const variableKey = [...search.entries()]
    .filter(([key]) => key.startsWith('var-'))
    .map(([key, value]) => `${key}=${value}`)
    .join('&');
  const [state, setState] = useState<{ variables: HostVariable[]; errors: Record<string, string>; range: TimeRange }>();
  useEffect(() => {
    let cancelled = false;
    resolveVariables(dashboard.templating?.list ?? [], locationService.getSearch(), range).then(
      (resolved) => {
        if (!cancelled) {
          hostTemplateSrv.setState(resolved.variables, range);
          setState({ ...resolved, range });
        }
      },
      (error: unknown) => console.error('host: dashboard variables failed', error)
    );
    return () => {
      cancelled = true;
    };
  }, [dashboard, range, variableKey]);

  const refresh = search.has('refresh') ? (search.get('refresh') ?? REFRESH_OFF) : (dashboard.refresh ?? REFRESH_OFF);
  useEffect(() => {
    const ms = refresh && refresh !== 'off' ? intervalMs(refresh) : 0;
    if (!ms) {
      return;
    }
    const timer = window.setInterval(() => setRefreshCount((count) => count + 1), ms);
    return () => window.clearInterval(timer);
  }, [refresh]);

  const onChangeRange = useCallback((next: TimeRange) => locationService.partial(rangeToUrl(next)), []);
  const shift = useCallback(
    (direction: -1 | 1 | 0) => {
      const span = range.to.valueOf() - range.from.valueOf();
      const [start, end] =
        direction === 0
          ? [range.from.valueOf() - span / 2, range.to.valueOf() + span / 2]
          : [range.from.valueOf() + (direction * span) / 2, range.to.valueOf() + (direction * span) / 2];
      locationService.partial({ from: String(Math.round(start)), to: String(Math.round(end)) });
    },
    [range]
  );

  const [toggledRows, setToggledRows] = useState<Set<number>>(new Set());
  const [gridRef, width] = useWidth<HTMLDivElement>();
  const boxes = useMemo(
    () => (width > 0 ? layout(visiblePanels(dashboard.panels, toggledRows), width, toggledRows) : []),
    [dashboard.panels, toggledRows, width]
  );
  const gridHeight = Math.max(0, ...boxes.map((box) => box.top + box.height));

  return (
    <div className={styles.page} data-testid="dashboard" data-dashboard-uid={dashboard.uid}>
      <TopBar current={dashboard.uid} />
      <div className={styles.header}>
        <Stack direction="row" alignItems="center" gap={1} wrap="wrap">
          <h1 className={styles.title}>{dashboard.title}</h1>
          <DashboardLinks dashboard={dashboard} search={search} />
          <div className={styles.spacer} />
          <TimeRangePicker
            value={range}
            timeZone="browser"
            onChange={onChangeRange}
            onChangeTimeZone={() => {}}
            onMoveBackward={() => shift(-1)}
            onMoveForward={() => shift(1)}
            onZoom={() => shift(0)}
          />
          <RefreshPicker
            value={refresh}
            intervals={dashboard.timepicker?.refresh_intervals}
            onRefresh={() => setRefreshCount((count) => count + 1)}
            onIntervalChanged={(interval) => locationService.partial({ refresh: interval || REFRESH_OFF })}
          />
        </Stack>
        {state && <VariableControls variables={state.variables} errors={state.errors} />}
      </div>
      <div ref={gridRef} className={styles.grid} style={{ height: gridHeight }}>
        {state &&
          boxes.map((box) =>
            box.row ? (
              <RowHeader
                key={box.panel.id}
                box={box}
                onToggle={() =>
                  setToggledRows((current) => {
                    const next = new Set(current);
                    if (!next.delete(box.panel.id)) {
                      next.add(box.panel.id);
                    }
                    return next;
                  })
                }
              />
            ) : (
              <div
                key={box.panel.id}
                className={styles.cell}
                style={{ left: box.left, top: box.top, width: box.width, height: box.height }}
              >
                <DashboardPanel
                  dashboardUid={dashboard.uid}
                  panel={box.panel}
                  width={box.width}
                  height={box.height}
                  range={state.range}
                  variables={state.variables}
                  refreshCount={refreshCount}
                  theme={theme}
                />
              </div>
            )
          )}
      </div>
    </div>
  );
}

function intervalMs(interval: string): number {
  const match = /^(\d+)(ms|s|m|h|d)$/.exec(interval);
  if (!match) {
    return 0;
  }
  const unit = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 }[match[2] as 'ms'];
  return Math.max(5000, Number(match[1]) * unit);
}

function RowHeader({ box, onToggle }: { box: LaidOut; onToggle: () => void }) {
  const styles = useStyles2(getStyles);
  const collapsed = box.row?.collapsed ?? false;
  return (
    <div className={styles.row} style={{ left: box.left, top: box.top, width: box.width, height: box.height }}>
      <button type="button" className={styles.rowButton} onClick={onToggle} aria-expanded={!collapsed}>
        <Icon name={collapsed ? 'angle-right' : 'angle-down'} />
        {hostTemplateSrv.replace(box.panel.title ?? '', undefined, 'text')}
        {collapsed && <span className={styles.rowCount}>({box.panel.panels?.length ?? 0} panels)</span>}
      </button>
    </div>
  );
}

/** The dashboard's links: plain links mapped into the preview, and the dashboards with the same tags. */
function DashboardLinks({ dashboard, search }: { dashboard: DashboardModel; search: URLSearchParams }) {
  const [tagged, setTagged] = useState<Array<{ uid: string; title: string }>>([]);
  const tags = dashboard.links?.find((link) => link.type === 'dashboards')?.tags ?? [];
  const tagKey = tags.join(',');
  useEffect(() => {
    if (!tagKey) {
      return;
    }
    getBackendSrv()
      .get<Array<{ uid: string; title: string; type?: string }>>('/api/search', {
        tag: tagKey.split(','),
        type: 'dash-db',
      })
      .then(
        (found) => setTagged((found ?? []).filter((item) => item.uid !== dashboard.uid)),
        () => setTagged([])
      );
  }, [tagKey, dashboard.uid]);
  const keep = new URLSearchParams();
  for (const key of ['from', 'to']) {
    const value = search.get(key);
    if (value) {
      keep.set(key, value);
    }
  }
  return (
    <Stack direction="row" gap={1} wrap="wrap">
      {(dashboard.links ?? [])
        .filter((link) => link.type === 'link' && link.url)
        .map((link) => {
          const url = `${link.url}${link.keepTime && keep.size > 0 ? `${link.url!.includes('?') ? '&' : '?'}${keep}` : ''}`;
          return (
            <Tooltip key={link.title} content={link.tooltip || link.title}>
              <LinkButton
                size="sm"
                variant="secondary"
                fill="outline"
                icon={(link.icon === 'search' ? 'search' : 'info-circle') as never}
                href={hostUrlFor(url) ?? url}
              >
                {link.title}
              </LinkButton>
            </Tooltip>
          );
        })}
      {tagged.map((item) => (
        <LinkButton
          key={item.uid}
          size="sm"
          variant="secondary"
          fill="text"
          icon="apps"
          href={dashboardUrl(item.uid, keep)}
        >
          {item.title}
        </LinkButton>
      ))}
    </Stack>
  );
}

function VariableControls({ variables, errors }: { variables: HostVariable[]; errors: Record<string, string> }) {
  const styles = useStyles2(getStyles);
  return (
    <div className={styles.variables} data-testid="dashboard-variables">
      {variables
        .filter((variable) => variable.hide !== 2 && variable.type !== 'constant')
        .map((variable) => (
          <div key={variable.name} className={styles.variable} data-variable={variable.name}>
            {variable.hide !== 1 && (
              <label className={styles.variableLabel} htmlFor={`var-${variable.name}`}>
                {variable.label || variable.name}
              </label>
            )}
            <VariableControl variable={variable} />
            {errors[variable.name] && (
              <Tooltip content={errors[variable.name]}>
                <Icon
                  name="exclamation-triangle"
                  className={styles.variableError}
                  aria-label={`${variable.name}: ${errors[variable.name]}`}
                />
              </Tooltip>
            )}
          </div>
        ))}
    </div>
  );
}

function setVariable(name: string, values: string[] | string) {
  locationService.partial({ [`var-${name}`]: values });
}

function VariableControl({ variable }: { variable: HostVariable }) {
  const options: Array<SelectableValue<string>> = variable.options.map((option) => ({
    label: option.text,
    value: option.value,
  }));
  const id = `var-${variable.name}`;
  if (variable.type === 'adhoc') {
    return <AdhocFilters variable={variable} />;
  }
  if (variable.type === 'textbox') {
    return (
      <Input
        id={id}
        width={20}
        defaultValue={String(variable.current.value)}
        onBlur={(event) => setVariable(variable.name, event.currentTarget.value)}
      />
    );
  }
  if (variable.multi) {
    const current = urlValues(variable);
    return (
      <MultiSelect<string>
        inputId={id}
        width="auto"
        options={options}
        value={current}
        onChange={(selected: Array<SelectableValue<string>>) => {
          let values = selected.map((item) => item.value!).filter((value) => value !== undefined);
          // Like Grafana: picking "All" clears the others, picking a value while "All" is set replaces it.
          const added = values.find((value) => !current.includes(value));
          if (added === ALL_VALUE || values.length === 0) {
            values = variable.includeAll ? [ALL_VALUE] : values;
          } else {
            values = values.filter((value) => value !== ALL_VALUE);
          }
          setVariable(variable.name, values);
        }}
      />
    );
  }
  return (
    <Select<string>
      inputId={id}
      width="auto"
      options={options}
      value={String(variable.current.value)}
      onChange={(selected) => setVariable(variable.name, selected.value ?? '')}
    />
  );
}

/** The ad hoc filters in the URL, each removable (new ones come from panel drill-downs). */
function AdhocFilters({ variable }: { variable: HostVariable }) {
  const styles = useStyles2(getStyles);
  const filters = variable.filters ?? [];
  const remove = (filter: AdHocVariableFilter) =>
    setVariable(variable.name, filters.filter((other) => other !== filter).map(formatAdhocFilter));
  if (filters.length === 0) {
    return <span className={styles.none}>none (click a top-N bar set to “ad hoc filter” to add one)</span>;
  }
  return (
    <Stack direction="row" gap={0.5} wrap="wrap">
      {filters.map((filter) => (
        <Button
          key={formatAdhocFilter(filter)}
          size="sm"
          variant="secondary"
          icon="times"
          aria-label={`Remove filter ${filter.key} ${filter.operator} ${filter.value}`}
          onClick={() => remove(filter)}
        >
          {`${filter.key} ${filter.operator} ${filter.values?.join(', ') ?? filter.value}`}
        </Button>
      ))}
    </Stack>
  );
}

const getStyles = (theme: GrafanaTheme2) => ({
  page: css({ minHeight: '100vh', background: theme.colors.background.canvas }),
  header: css({ padding: theme.spacing(1, 2) }),
  title: css({ margin: 0, fontSize: theme.typography.h3.fontSize, marginRight: theme.spacing(1) }),
  spacer: css({ flexGrow: 1 }),
  grid: css({ position: 'relative', margin: theme.spacing(0, 2, 2) }),
  cell: css({ position: 'absolute' }),
  row: css({ position: 'absolute', display: 'flex', alignItems: 'center' }),
  rowButton: css({
    background: 'none',
    border: 'none',
    color: theme.colors.text.primary,
    fontSize: theme.typography.h5.fontSize,
    display: 'flex',
    alignItems: 'center',
    gap: theme.spacing(1),
    cursor: 'pointer',
    padding: 0,
  }),
  rowCount: css({ color: theme.colors.text.secondary, fontSize: theme.typography.bodySmall.fontSize }),
  variables: css({ display: 'flex', flexWrap: 'wrap', gap: theme.spacing(1, 2), marginTop: theme.spacing(1) }),
  variable: css({ display: 'flex', alignItems: 'center', gap: theme.spacing(1) }),
  variableLabel: css({
    margin: 0,
    fontSize: theme.typography.bodySmall.fontSize,
    fontWeight: theme.typography.fontWeightMedium,
    color: theme.colors.text.primary,
    background: theme.colors.background.secondary,
    border: `1px solid ${theme.colors.border.weak}`,
    borderRadius: theme.shape.radius.default,
    padding: theme.spacing(0.5, 1),
  }),
  variableError: css({ color: theme.colors.error.text }),
  none: css({ color: theme.colors.text.secondary, fontSize: theme.typography.bodySmall.fontSize }),
});
