/**
 * The Grafana services @grafana/runtime expects the host application to install, implemented
 * against the real Grafana HTTP API (same origin: the harness server proxies /api to Grafana).
 */
import { lastValueFrom, Observable } from 'rxjs';
import {
  type DataSourceApi,
  type DataSourceInstanceSettings,
  type DataSourcePlugin,
  type DataSourceRef,
  standardEditorsRegistry,
} from '@grafana/data';
import {
  type BackendSrv,
  type BackendSrvRequest,
  config,
  type DataSourceSrv,
  type FetchError,
  type FetchResponse,
  type GetDataSourceListFilters,
  setBackendSrv,
  setDataSourceSrv,
  setTemplateSrv,
} from '@grafana/runtime';
import * as RuntimeUnstable from '@grafana/runtime/unstable';

import { importAmdModule } from './amd';
import { installStandardFieldConfig } from './dashboard/fieldConfig';
import { hostTemplateSrv } from './dashboard/templateSrv';

/** BackendSrv on top of window.fetch, with Grafana's conventions: Observables, FetchError on HTTP errors. */
class FetchBackendSrv implements BackendSrv {
  fetch<T>(options: BackendSrvRequest): Observable<FetchResponse<T>> {
    return new Observable<FetchResponse<T>>((subscriber) => {
      const controller = new AbortController();
      send<T>(options, controller.signal).then(
        (response) => {
          subscriber.next(response);
          subscriber.complete();
        },
        (error: unknown) => subscriber.error(error)
      );
      // Unsubscribing cancels the request, as Grafana's BackendSrv does.
      return () => controller.abort();
    });
  }

  async request<T>(options: BackendSrvRequest): Promise<T> {
    return (await lastValueFrom(this.fetch<T>(options))).data;
  }

  datasourceRequest<T>(options: BackendSrvRequest): Promise<FetchResponse<T>> {
    return lastValueFrom(this.fetch<T>(options));
  }

  get<T>(url: string, params?: BackendSrvRequest['params'], requestId?: string, options?: Partial<BackendSrvRequest>) {
    return this.request<T>({ ...options, url, params, requestId, method: 'GET' });
  }

  delete<T>(url: string, data?: unknown, options?: Partial<BackendSrvRequest>) {
    return this.request<T>({ ...options, url, data, method: 'DELETE' });
  }

  post<T>(url: string, data?: unknown, options?: Partial<BackendSrvRequest>) {
    return this.request<T>({ ...options, url, data, method: 'POST' });
  }

  patch<T>(url: string, data?: unknown, options?: Partial<BackendSrvRequest>) {
    return this.request<T>({ ...options, url, data, method: 'PATCH' });
  }

  put<T>(url: string, data?: unknown, options?: Partial<BackendSrvRequest>) {
    return this.request<T>({ ...options, url, data, method: 'PUT' });
  }

  chunked(): Observable<FetchResponse<Uint8Array | undefined>> {
    throw new Error('chunked requests are not supported by the test host');
  }
}

async function send<T>(options: BackendSrvRequest, signal: AbortSignal): Promise<FetchResponse<T>> {
  const url = withParams(options.url, options.params);
  const hasJsonBody =
    options.data !== undefined && !(options.data instanceof FormData) && typeof options.data !== 'string';
  const headers = new Headers(options.headers);
  if (hasJsonBody && !headers.has('Content-Type')) {
    headers.set('Content-Type', 'application/json');
  }
  const response = await fetch(url, {
    method: options.method ?? 'GET',
    headers,
    body: hasJsonBody ? JSON.stringify(options.data) : (options.data as BodyInit | undefined),
    signal: options.abortSignal ?? signal,
  });
  const data = (await readBody(response, options.responseType)) as T;
  if (!response.ok) {
    const error: FetchError = {
      status: response.status,
      statusText: response.statusText,
      data,
      message: isMessage(data) ? data.message : response.statusText,
      config: options,
    };
    throw error;
  }
  return {
    data,
    status: response.status,
    statusText: response.statusText,
    ok: response.ok,
    headers: response.headers,
    redirected: response.redirected,
    type: response.type,
    url: response.url,
    config: options,
  };
}

function withParams(url: string, params: BackendSrvRequest['params']): string {
  const search = new URLSearchParams();
  for (const [key, value] of Object.entries(params ?? {})) {
    for (const item of Array.isArray(value) ? value : [value]) {
      if (item !== undefined && item !== null) {
        search.append(key, String(item));
      }
    }
  }
  const query = search.toString();
  return query === '' ? url : `${url}${url.includes('?') ? '&' : '?'}${query}`;
}

async function readBody(response: Response, responseType: BackendSrvRequest['responseType']): Promise<unknown> {
  switch (responseType) {
    case 'text':
      return response.text();
    case 'blob':
      return response.blob();
    case 'arraybuffer':
      return response.arrayBuffer();
  }
  // Grafana answers some calls with an empty or plain-text body; keep those as text.
  const text = await response.text();
  if (text === '') {
    return undefined;
  }
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

function isMessage(data: unknown): data is { message: string } {
  return typeof data === 'object' && data !== null && typeof (data as { message?: unknown }).message === 'string';
}

/** The URL of a plugin module as Grafana's plugin loader resolves a `meta.module` value. */
export function pluginModuleUrl(module: string): string {
  if (/^(https?:)?\//.test(module)) {
    return module;
  }
  const path = module.startsWith('public/') ? `/${module}` : `/public/${module}`;
  return path.endsWith('.js') ? path : `${path}.js`;
}

/**
 * DataSourceSrv over the instance settings in Grafana's boot data (/api/frontend/settings, which
 * the harness server inlines into the page like Grafana's index.html does). get() loads the data
 * source plugin's module and builds its real DataSource class.
 */
class BootDataSourceSrv implements DataSourceSrv {
  private readonly instances = new Map<string, Promise<DataSourceApi>>();

  getList(filters: GetDataSourceListFilters = {}): DataSourceInstanceSettings[] {
    const types = filters.type === undefined ? undefined : ([] as string[]).concat(filters.type);
    return (
      Object.values(config.datasources)
        // Like Grafana's list, without the built-in "-- Grafana --", "-- Mixed --" and "-- Dashboard --".
        .filter((settings) => !settings.meta.builtIn)
        .filter((settings) => !types || types.includes(settings.type))
        .filter((settings) => !filters.pluginId || settings.meta.id === filters.pluginId)
        .filter((settings) => !filters.filter || filters.filter(settings))
        .sort((a, b) => a.name.localeCompare(b.name))
    );
  }

  getInstanceSettings(ref?: DataSourceRef | string | null): DataSourceInstanceSettings | undefined {
    const raw = typeof ref === 'string' ? ref : ref?.uid;
    // A dashboard's data source variable (`${datasource}`), as Grafana's DatasourceSrv resolves it.
    const key = raw?.includes('$') ? hostTemplateSrv.replace(raw) : raw;
    const all = Object.values(config.datasources);
    if (key === undefined || key === null || key === 'default') {
      return all.find((settings) => settings.isDefault);
    }
    return all.find((settings) => settings.uid === key || settings.name === key);
  }

  get(ref?: DataSourceRef | string | null): Promise<DataSourceApi> {
    const settings = this.getInstanceSettings(ref);
    if (!settings) {
      return Promise.reject(new Error(`Data source not found: ${JSON.stringify(ref)}`));
    }
    let instance = this.instances.get(settings.uid);
    if (!instance) {
      instance = createDataSource(settings);
      this.instances.set(settings.uid, instance);
    }
    return instance;
  }

  async reload(): Promise<void> {
    const settings = await backendSrv.get<{ datasources: typeof config.datasources }>('/api/frontend/settings');
    config.datasources = settings.datasources;
    this.instances.clear();
  }

  registerRuntimeDataSource(): void {
    throw new Error('runtime data sources are not supported by the test host');
  }
}

/** What Grafana's DatasourceSrv does: import the plugin module, instantiate its class, attach meta and components. */
async function createDataSource(settings: DataSourceInstanceSettings): Promise<DataSourceApi> {
  const plugin = await importPlugin<DataSourcePlugin<DataSourceApi>>(settings.meta.module);
  if (!plugin.DataSourceClass) {
    throw new Error(`${settings.meta.module} exports no DataSourceClass`);
  }
  const instance = new plugin.DataSourceClass(settings);
  instance.components = plugin.components;
  instance.meta = settings.meta;
  return instance;
}

/** Loads a plugin module and returns its `plugin` export. */
export async function importPlugin<T>(module: string): Promise<T> {
  const exports = (await importAmdModule(pluginModuleUrl(module))) as { plugin?: T };
  if (!exports.plugin) {
    throw new Error(`${module} has no "plugin" export`);
  }
  return exports.plugin;
}

/**
 * Option editors that panel option builders look up by id. Grafana's core registers its editor
 * components here at start-up; the host shows no options pane, so placeholders are enough for
 * PanelPlugin.defaults and friends to work.
 */
const STANDARD_EDITOR_IDS = [
  'boolean',
  'color',
  'dashboard-uid',
  'field-name',
  'multi-select',
  'number',
  'radio',
  'select',
  'slider',
  'strings',
  'text',
  'timezone',
  'unit',
];

const backendSrv = new FetchBackendSrv();

export function installServices() {
  // Grafana's start-up does this before any plugin code runs; runtime helpers log through it.
  // @grafana/runtime 12.0 has no loggers registry yet (the function is absent there).
  (RuntimeUnstable as { initializeLoggersRegistry?: () => void }).initializeLoggersRegistry?.();
  setBackendSrv(backendSrv);
  setDataSourceSrv(new BootDataSourceSrv());
  // Dashboard variables, time range and data-link macros (empty outside the dashboard view).
  setTemplateSrv(hostTemplateSrv);
  installStandardFieldConfig();
  standardEditorsRegistry.setInit(() => STANDARD_EDITOR_IDS.map((id) => ({ id, name: id, editor: () => null })));
}
