/**
 * One dashboard panel: its queries through the real data source (variables interpolated by the
 * data source's applyTemplateVariables with the host's TemplateSrv), its transformations and
 * Grafana's field-config step, drawn in @grafana/ui's PanelChrome by a plugin panel or a built-in
 * visualisation.
 */
import React, { useEffect, useMemo, useState } from 'react';
import { isObservable, lastValueFrom } from 'rxjs';
import {
  applyFieldOverrides,
  CoreApp,
  type DataQuery,
  type DataQueryError,
  type DataQueryRequest,
  type DataQueryResponse,
  type FieldConfigSource,
  type GrafanaTheme2,
  type InterpolateFunction,
  LoadingState,
  type PanelData,
  type PanelPlugin,
  rangeUtil,
  type ScopedVars,
  type TimeRange,
} from '@grafana/data';
import { config, getDataSourceSrv } from '@grafana/runtime';
import { ErrorBoundaryAlert, PanelChrome } from '@grafana/ui';

import { applyTransformations, builtInFieldConfigRegistry, normaliseFieldConfig } from './fieldConfig';
import type { PanelModel } from './model';
import { loadPanelPlugin, PluginPanel, pluginFieldConfig } from './pluginPanel';
import { type HostVariable, hostTemplateSrv } from './templateSrv';
import { BUILT_IN_TYPES, BuiltInViz, builtInRenderer } from './visualizations';

interface Props {
  dashboardUid: string;
  panel: PanelModel;
  width: number;
  height: number;
  range: TimeRange;
  variables: HostVariable[];
  refreshCount: number;
  theme: GrafanaTheme2;
}

interface Result {
  data: PanelData;
  fieldConfig: FieldConfigSource;
  plugin?: PanelPlugin;
  notes: string[];
}

/** Is the type drawn by a panel plugin module (not a Grafana built-in)? */
function isPluginPanel(type: string): boolean {
  const meta = config.panels[type];
  return Boolean(meta) && !BUILT_IN_TYPES.has(type) && !String(meta.module ?? '').startsWith('core:');
}

export function DashboardPanel({ dashboardUid, panel, width, height, range, variables, refreshCount, theme }: Props) {
  const plugin = isPluginPanel(panel.type);
  // Queries depend on the variables' values (a new array on every change), the range and the width.
  const widthBucket = Math.max(100, Math.round(width / 100) * 100);
  // One object per run of the queries: the panel is loading until the outcome of the latest run is in.
  const run = useMemo(
    () => ({ dashboardUid, panel, range, variables, refreshCount, widthBucket, theme, plugin }),
    [dashboardUid, panel, range, variables, refreshCount, widthBucket, theme, plugin]
  );
  const [outcome, setOutcome] = useState<{ run: object; result?: Result; failure?: string }>();

  useEffect(() => {
    let cancelled = false;
    runPanel(run.dashboardUid, run.panel, run.range, run.widthBucket, run.theme, run.plugin).then(
      (next) => !cancelled && setOutcome({ run, result: next }),
      (error: unknown) => !cancelled && setOutcome((last) => ({ run, result: last?.result, failure: errorText(error) }))
    );
    return () => {
      cancelled = true;
    };
  }, [run]);

  const loading = outcome?.run !== run;
  const result = outcome?.result;
  const failure = outcome?.failure;
  const title = hostTemplateSrv.replace(panel.title ?? '', undefined, 'text');
  const errors = result?.data.errors ?? [];
  const error = failure ?? (errors.length > 0 ? errors.map((e) => e.message ?? String(e)).join('\n') : undefined);
  const renderer = plugin ? `plugin:${panel.type}` : (builtInRenderer(panel.type) ?? 'fallback');
  const state = loading && !result ? 'loading' : error ? 'error' : 'done';
  const replaceVariables: InterpolateFunction = (value, scopedVars, format) =>
    hostTemplateSrv.replace(value, scopedVars, format);

  return (
    <div
      data-testid="dashboard-panel"
      data-panel-id={panel.id}
      data-panel-type={panel.type}
      data-panel-title={title}
      data-panel-state={state}
      data-panel-renderer={renderer}
      data-panel-loading={String(loading)}
      style={{ width, height }}
    >
      <PanelChrome
        width={width}
        height={height}
        title={title}
        description={
          panel.description ? () => hostTemplateSrv.replace(panel.description ?? '', undefined, 'text') : undefined
        }
        loadingState={loading ? LoadingState.Loading : LoadingState.Done}
        statusMessage={error}
      >
        {(innerWidth, innerHeight) => (
          <ErrorBoundaryAlert>
            {failure ? (
              <PanelError text={failure} />
            ) : !result ? null : result.plugin ? (
              <PluginPanel
                plugin={result.plugin}
                id={panel.id}
                title={title}
                data={result.data}
                options={panel.options ?? {}}
                fieldConfig={result.fieldConfig}
                width={innerWidth}
                height={innerHeight}
                timeRange={result.data.timeRange}
                replaceVariables={replaceVariables}
              />
            ) : (
              <>
                {errors.length > 0 && result.data.series.length === 0 ? (
                  <PanelError text={error ?? ''} />
                ) : (
                  <BuiltInViz
                    type={panel.type}
                    series={result.data.series}
                    options={panel.options ?? {}}
                    fieldConfig={result.fieldConfig}
                    width={innerWidth}
                    height={innerHeight}
                    theme={theme}
                    timeRange={result.data.timeRange}
                    replaceVariables={replaceVariables}
                  />
                )}
              </>
            )}
          </ErrorBoundaryAlert>
        )}
      </PanelChrome>
    </div>
  );
}

function PanelError({ text }: { text: string }) {
  return (
    <div role="alert" data-testid="panel-error" style={{ whiteSpace: 'pre-wrap', overflow: 'auto', height: '100%' }}>
      {text}
    </div>
  );
}

function errorText(error: unknown): string {
  if (error instanceof Error) {
    return error.message || error.name || 'Error';
  }
  const fetchError = error as { data?: { message?: string; error?: string }; message?: string; status?: number };
  const text = fetchError?.data?.message || fetchError?.data?.error || fetchError?.message;
  if (text) {
    return fetchError.status ? `${text} (HTTP ${fetchError.status})` : text;
  }
  // Never an empty message: an empty one would leave the panel blank without an error state.
  return fetchError?.status ? `HTTP ${fetchError.status}` : JSON.stringify(error) || String(error);
}

/** Runs the panel's queries and prepares its data the way Grafana's PanelQueryRunner does. */
async function runPanel(
  dashboardUid: string,
  panel: PanelModel,
  range: TimeRange,
  maxDataPoints: number,
  theme: GrafanaTheme2,
  isPlugin: boolean
): Promise<Result> {
  const plugin = isPlugin ? await loadPanelPlugin(panel.type) : undefined;
  const saved = normaliseFieldConfig(panel.fieldConfig);
  const fieldConfig = plugin ? pluginFieldConfig(plugin, saved) : saved;
  const targets = (panel.targets ?? []).filter((target) => !target.hide);
  let response: DataQueryResponse = { data: [] };
  let request: DataQueryRequest | undefined;
  if (targets.length > 0 && panel.type !== 'text') {
    ({ response, request } = await query(dashboardUid, panel, targets, range, maxDataPoints));
  }
  const interpolate = (value: string) => hostTemplateSrv.replace(value);
  const { frames, notes } = await applyTransformations(response.data, panel.transformations, interpolate);
  const errors: DataQueryError[] = [...(response.errors ?? []), ...(response.error ? [response.error] : [])];
  const replaceVariables: InterpolateFunction = (value, scopedVars, format) =>
    hostTemplateSrv.replace(value, { ...request?.scopedVars, ...scopedVars }, format);
  const series = applyFieldOverrides({
    data: frames,
    fieldConfig,
    fieldConfigRegistry: plugin ? plugin.fieldConfigRegistry : builtInFieldConfigRegistry(panel.type, fieldConfig),
    replaceVariables,
    theme,
    timeZone: 'browser',
  });
  return {
    data: {
      state: errors.length > 0 ? LoadingState.Error : LoadingState.Done,
      series,
      errors: errors.length > 0 ? errors : undefined,
      timeRange: range,
      request,
    },
    fieldConfig,
    plugin,
    notes,
  };
}

async function query(
  dashboardUid: string,
  panel: PanelModel,
  targets: NonNullable<PanelModel['targets']>,
  range: TimeRange,
  maxDataPoints: number
): Promise<{ response: DataQueryResponse; request: DataQueryRequest }> {
  const panelRef = typeof panel.datasource === 'string' ? { uid: panel.datasource } : panel.datasource;
  const datasource = await getDataSourceSrv().get(panelRef ?? (targets[0].datasource as never) ?? null);
  const { interval, intervalMs } = rangeUtil.calculateInterval(
    range,
    panel.maxDataPoints ?? maxDataPoints,
    panel.interval
  );
  const scopedVars: ScopedVars = {
    __interval: { text: interval, value: interval },
    __interval_ms: { text: String(intervalMs), value: intervalMs },
  };
  const filters = hostTemplateSrv.getAdhocFilters(datasource.name);
  const request = {
    app: CoreApp.Dashboard,
    requestId: `panel-${panel.id}`,
    dashboardUID: dashboardUid,
    panelId: panel.id,
    interval,
    intervalMs,
    maxDataPoints: panel.maxDataPoints ?? maxDataPoints,
    range,
    rangeRaw: range.raw,
    scopedVars,
    startTime: Date.now(),
    timezone: 'browser',
    filters: filters.length > 0 ? filters : undefined,
    targets: targets.map(
      (target, index) =>
        ({
          ...target,
          refId: target.refId ?? String.fromCharCode(65 + index),
          datasource: { uid: datasource.uid, type: datasource.type },
        }) as DataQuery
    ),
  } as DataQueryRequest;
  const result = datasource.query(request);
  const response = isObservable(result) ? await lastValueFrom(result) : await result;
  return { response, request };
}
