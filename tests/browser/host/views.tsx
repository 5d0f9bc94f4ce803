/**
 * What the host page can show, each built from a plugin module the way Grafana builds it:
 * a panel fed by a real query, a data source's query or config editor, an app's root or config page.
 */
import React, { type ComponentType, useCallback, useRef, useState } from 'react';
import { isObservable, lastValueFrom, type Observable } from 'rxjs';
import { MemoryRouter, Route, Routes } from 'react-router';
import {
  type AppPlugin,
  type AppPluginMeta,
  CoreApp,
  type DataQuery,
  type DataQueryRequest,
  type DataQueryResponse,
  type DataSourceApi,
  type DataSourcePlugin,
  type DataSourceSettings,
  dateTime,
  type GrafanaTheme2,
  LoadingState,
  type PanelData,
  type TimeRange,
} from '@grafana/data';
import { config, getBackendSrv, getDataSourceSrv } from '@grafana/runtime';

import { loadAlertsView, loadDashboardView, loadHomeView } from './dashboard';
import { installLinkRouter } from './dashboard/links';
import { loadPanelPlugin, PluginPanel, pluginFieldConfig, withFieldConfig } from './dashboard/pluginPanel';
import { TopBar } from './dashboard/TopBar';
import { importPlugin } from './services';

export type ViewName =
  | 'panel'
  | 'query-editor'
  | 'variable-editor'
  | 'config-editor'
  | 'app'
  | 'app-config'
  | 'dashboard'
  | 'alerts'
  | 'home';

export interface ViewContext {
  params: URLSearchParams;
  pluginId: string;
  theme: GrafanaTheme2;
}

/** Builds the element for `?view=`; rejects with a readable message when the page cannot be shown. */
export function loadView(view: string, context: ViewContext): Promise<React.ReactElement> {
  switch (view) {
    case 'panel':
      return loadPanel(context);
    case 'query-editor':
      return loadQueryEditor(context);
    case 'variable-editor':
      return loadVariableEditor(context);
    case 'config-editor':
      return loadConfigEditor(context);
    case 'app':
      return loadAppRoot(context);
    case 'app-config':
      return loadAppConfig(context);
    case 'dashboard':
      return loadDashboardView(context);
    case 'alerts':
      return loadAlertsView(context);
    case '':
    case 'home':
      return loadHomeView(context);
    default:
      return Promise.reject(new Error(`Unknown view "${view}"`));
  }
}

async function loadPanel({ params, pluginId, theme }: ViewContext) {
  const plugin = await loadPanelPlugin(pluginId);
  const fieldConfig = pluginFieldConfig(plugin);
  const range = timeRangeParam(params);
  const datasource = await getDataSourceSrv().get(params.get('ds'));
  const response = await runQuery(datasource, queryParam(params), range);
  const data = withFieldConfig(
    {
      state: response.errors?.length ? LoadingState.Error : LoadingState.Done,
      series: response.data,
      errors: response.errors,
      timeRange: range,
    },
    plugin,
    fieldConfig,
    theme,
    (value) => value
  );
  // Without explicit sizes the panel fills the viewport, less its frame.
  const width = numberParam(params, 'width', window.innerWidth - 2 * PANEL_CHROME);
  const height = numberParam(params, 'height', window.innerHeight - 2 * PANEL_CHROME);

  return (
    <PanelFrame width={width} height={height} theme={theme}>
      <PluginPanel
        plugin={plugin}
        id={1}
        title={params.get('title') ?? ''}
        data={data}
        options={jsonParam<object>(params, 'options', {})}
        fieldConfig={fieldConfig}
        width={width}
        height={height}
        timeRange={range}
        replaceVariables={(value) => value}
      />
    </PanelFrame>
  );
}

/** Margin, border and padding around the panel content, in pixels, on each side. */
const PANEL_CHROME = 8 + 1 + 8;

/** Stands in for Grafana's panel chrome: the panel's box on the panel background, content width × height. */
function PanelFrame({
  width,
  height,
  theme,
  children,
}: React.PropsWithChildren<{ width: number; height: number; theme: GrafanaTheme2 }>) {
  return (
    <div
      data-testid="host-panel"
      style={{
        // Grafana's global styles make everything border-box; the panel must get width × height.
        boxSizing: 'content-box',
        width,
        height,
        margin: 8,
        padding: 8,
        background: theme.colors.background.primary,
        border: `1px solid ${theme.colors.border.weak}`,
        borderRadius: theme.shape.radius.default,
        overflow: 'hidden',
      }}
    >
      {children}
    </div>
  );
}

async function loadQueryEditor({ params }: ViewContext) {
  const datasource = await getDataSourceSrv().get(params.get('ds'));
  const Editor = datasource.components?.QueryEditor;
  if (!Editor) {
    throw new Error(`The data source plugin ${datasource.type} has no query editor`);
  }
  // Like Grafana, a new query (no ?query=) starts from the data source's default query.
  const initial = params.has('query')
    ? queryParam(params)
    : { refId: 'A', ...datasource.getDefaultQuery?.(CoreApp.PanelEditor) };
  return (
    <Page>
      <QueryEditorHost datasource={datasource} editor={Editor} initialQuery={initial} range={timeRangeParam(params)} />
    </Page>
  );
}

interface QueryEditorHostProps {
  datasource: DataSourceApi;
  editor: ComponentType<any>;
  initialQuery: DataQuery;
  range: TimeRange;
}

/** Owns the query like Grafana's query row does; shows the current query JSON so tests can check onChange. */
function QueryEditorHost({ datasource, editor: Editor, initialQuery, range }: QueryEditorHostProps) {
  const [query, setQuery] = useState(initialQuery);
  const [data, setData] = useState<PanelData>();
  // onRunQuery usually follows onChange in the same event, before React re-renders.
  const latest = useRef(query);
  const onChange = useCallback((next: DataQuery) => {
    latest.current = next;
    setQuery(next);
  }, []);
  const onRunQuery = useCallback(() => {
    runQuery(datasource, latest.current, range).then(
      (response) =>
        setData({ state: LoadingState.Done, series: response.data, errors: response.errors, timeRange: range }),
      (error: unknown) => console.error('host: query failed', error)
    );
  }, [datasource, range]);

  return (
    <>
      <Editor
        datasource={datasource}
        query={query}
        onChange={onChange}
        onRunQuery={onRunQuery}
        data={data}
        range={range}
        app={CoreApp.PanelEditor}
      />
      <HostNote testId="host-query-json">{JSON.stringify(query)}</HostNote>
      {data && <HostNote testId="host-query-result">{`${data.series.length} frame(s) returned`}</HostNote>}
    </>
  );
}

/**
 * A data source's query variable editor (`datasource.variables.editor`, CustomVariableSupport), as
 * Grafana's variable settings page shows it; every change runs the variable query and lists its values.
 */
async function loadVariableEditor({ params }: ViewContext) {
  const datasource = await getDataSourceSrv().get(params.get('ds'));
  const support = datasource.variables as
    | {
        editor?: ComponentType<any>;
        query?: (request: DataQueryRequest) => Observable<DataQueryResponse>;
      }
    | undefined;
  if (!support?.editor || !support.query) {
    throw new Error(`The data source plugin ${datasource.type} has no custom variable support`);
  }
  return (
    <Page>
      <VariableEditorHost
        datasource={datasource}
        editor={support.editor}
        run={support.query.bind(support)}
        initialQuery={queryParam(params)}
        range={timeRangeParam(params)}
      />
    </Page>
  );
}

interface VariableEditorHostProps {
  datasource: DataSourceApi;
  editor: ComponentType<any>;
  run: (request: DataQueryRequest) => Observable<DataQueryResponse>;
  initialQuery: DataQuery;
  range: TimeRange;
}

/** Owns the variable query; shows its JSON and the values (text = value) the query returned. */
function VariableEditorHost({ datasource, editor: Editor, run, initialQuery, range }: VariableEditorHostProps) {
  const [query, setQuery] = useState(initialQuery);
  const [values, setValues] = useState<string>();
  const onChange = useCallback(
    (next: DataQuery) => {
      setQuery(next);
      const request = { ...hostRequest(range), targets: [next] } as DataQueryRequest;
      lastValueFrom(run(request)).then(
        (response) => setValues(variableValues(response).join('\n')),
        (error: unknown) => console.error('host: variable query failed', error)
      );
    },
    [range, run]
  );
  return (
    <>
      <Editor datasource={datasource} query={query} onChange={onChange} onRunQuery={() => {}} range={range} />
      <HostNote testId="host-query-json">{JSON.stringify(query)}</HostNote>
      {values !== undefined && <HostNote testId="host-variable-values">{values}</HostNote>}
    </>
  );
}

/** `text = value` per row of the frames' `text` and `value` fields (what Grafana turns into variable options). */
function variableValues(response: DataQueryResponse): string[] {
  const rows: string[] = [];
  for (const frame of response.data as Array<{ fields: Array<{ name: string; values: unknown[] }> }>) {
    const text = frame.fields.find((field) => field.name === 'text');
    const value = frame.fields.find((field) => field.name === 'value') ?? text;
    text?.values.forEach((entry, index) => rows.push(`${String(entry)} = ${String(value?.values[index])}`));
  }
  return rows;
}

function hostRequest(range: TimeRange): Omit<DataQueryRequest, 'targets'> {
  return {
    app: CoreApp.Dashboard,
    requestId: 'host-variable',
    interval: '1m',
    intervalMs: 60_000,
    range,
    scopedVars: {},
    startTime: Date.now(),
    timezone: 'browser',
  };
}

async function loadConfigEditor({ params }: ViewContext) {
  const uid = params.get('ds') ?? config.datasources[config.defaultDatasource]?.uid;
  // The settings page edits the stored settings (DataSourceSettings), not the instance settings.
  const settings = await getBackendSrv().get<DataSourceSettings>(
    `/api/datasources/uid/${encodeURIComponent(uid ?? '')}`
  );
  const meta = getDataSourceSrv().getInstanceSettings(settings.uid)?.meta;
  if (!meta) {
    throw new Error(`No instance settings for data source ${settings.uid}`);
  }
  const plugin = await importPlugin<DataSourcePlugin<DataSourceApi>>(meta.module);
  const Editor = plugin.components.ConfigEditor;
  if (!Editor) {
    throw new Error(`${meta.module} has no config editor`);
  }
  return (
    <Page>
      <ConfigEditorHost editor={Editor} initial={settings} />
    </Page>
  );
}

function ConfigEditorHost({ editor: Editor, initial }: { editor: ComponentType<any>; initial: DataSourceSettings }) {
  const [options, setOptions] = useState(initial);
  return (
    <>
      <Editor options={options} onOptionsChange={setOptions} />
      <HostNote testId="host-options-json">{JSON.stringify(options.jsonData)}</HostNote>
    </>
  );
}

/** What Grafana does before showing an app: read its settings, import the module, init the plugin with its meta. */
async function loadApp(pluginId: string) {
  const meta = await getBackendSrv().get<AppPluginMeta>(`/api/plugins/${encodeURIComponent(pluginId)}/settings`);
  const plugin = await importPlugin<AppPlugin>(meta.module);
  plugin.init(meta);
  plugin.meta = meta;
  return { meta, plugin };
}

async function loadAppRoot({ params, pluginId }: ViewContext) {
  const { meta, plugin } = await loadApp(pluginId);
  const Root = plugin.root;
  if (!Root) {
    throw new Error(`${meta.module} has no root page`);
  }
  const basename = `/a/${pluginId}`;
  const path = params.get('path') ?? '';
  // Opened from the preview (nav=1): the preview's bar, and links to dashboards stay in the preview.
  const nav = params.get('nav') === '1';
  if (nav) {
    installLinkRouter({ skipAppPaths: true });
  }
  // Grafana mounts the app root under /a/<id>/*; a memory router keeps the host page's own URL.
  return (
    <>
      {nav && <TopBar current="app" />}
      <Page>
        <MemoryRouter initialEntries={[`${basename}/${path}`]}>
          <Routes>
            <Route
              path={`${basename}/*`}
              element={<Root meta={meta} basename={basename} path={basename} query={{}} onNavChanged={() => {}} />}
            />
          </Routes>
        </MemoryRouter>
      </Page>
    </>
  );
}

async function loadAppConfig({ params, pluginId }: ViewContext) {
  const { meta, plugin } = await loadApp(pluginId);
  const pageId = params.get('page');
  const page = plugin.configPages?.find((candidate) => pageId === null || candidate.id === pageId);
  if (!page) {
    throw new Error(`${meta.module} has no config page${pageId ? ` "${pageId}"` : ''}`);
  }
  const Body = page.body;
  const nav = params.get('nav') === '1';
  if (nav) {
    installLinkRouter();
  }
  return (
    <>
      {nav && <TopBar current="app" />}
      <Page>
        <Body plugin={plugin} query={{}} />
      </Page>
    </>
  );
}

function Page({ children }: React.PropsWithChildren) {
  return <main style={{ padding: 16 }}>{children}</main>;
}

/** Host-owned output, set apart so screenshots do not mistake it for plugin UI. */
function HostNote({ testId, children }: React.PropsWithChildren<{ testId: string }>) {
  return (
    <pre data-testid={testId} style={{ marginTop: 16, opacity: 0.6, whiteSpace: 'pre-wrap', fontSize: 11 }}>
      {children}
    </pre>
  );
}

async function runQuery(datasource: DataSourceApi, query: DataQuery, range: TimeRange): Promise<DataQueryResponse> {
  const request: DataQueryRequest = {
    app: CoreApp.Dashboard,
    requestId: 'host-A',
    interval: '1m',
    intervalMs: 60_000,
    maxDataPoints: 1000,
    range,
    scopedVars: {},
    startTime: Date.now(),
    timezone: 'browser',
    targets: [{ ...query, refId: query.refId ?? 'A', datasource: { uid: datasource.uid, type: datasource.type } }],
  };
  const result = datasource.query(request);
  return isObservable(result) ? lastValueFrom(result) : result;
}

function queryParam(params: URLSearchParams): DataQuery {
  return { refId: 'A', ...jsonParam<Partial<DataQuery>>(params, 'query', {}) };
}

/** `from` / `to` as epoch milliseconds; the last 24 hours by default. */
function timeRangeParam(params: URLSearchParams): TimeRange {
  const to = numberParam(params, 'to', Date.now());
  const from = numberParam(params, 'from', to - 24 * 60 * 60 * 1000);
  const range = { from: dateTime(from), to: dateTime(to) };
  return { ...range, raw: range };
}

function numberParam(params: URLSearchParams, name: string, fallback: number): number {
  const value = Number(params.get(name) ?? NaN);
  return Number.isFinite(value) ? value : fallback;
}

function jsonParam<T>(params: URLSearchParams, name: string, fallback: T): T {
  const raw = params.get(name);
  if (raw === null) {
    return fallback;
  }
  try {
    return JSON.parse(raw) as T;
  } catch {
    throw new Error(`?${name}= is not valid JSON: ${raw}`);
  }
}
