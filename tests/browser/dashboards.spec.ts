import { readFileSync } from 'node:fs';
import path from 'node:path';

import { expect, GRAFANA_AUTH, test } from './fixtures';
import { REPO_ROOT, SCREENSHOT_DIR } from './harness';

/**
 * The bundled dashboards laid out in their grid (24 columns, 30 px rows, as Grafana draws them) at
 * 1920×1080 and at a laptop's 1366×768, every panel's queries answered by the real backend with
 * the variables at their defaults. The plugin's own panels (top-N) are the built modules rendered
 * by the host page, one frame per panel; Grafana's built-in visualisations (time series, stat,
 * pie chart, table) are not in this harness (the Grafana built from Go modules has no frontend),
 * so those panels show what their queries returned: field names and the first values.
 */

interface Panel {
  id: number;
  type: string;
  title: string;
  description?: string;
  gridPos: { x: number; y: number; w: number; h: number };
  targets?: Array<Record<string, unknown>>;
  options?: Record<string, unknown>;
}

interface Dashboard {
  uid: string;
  title: string;
  panels: Panel[];
  templating: { list: Array<{ name: string; type: string; current?: { value?: unknown } }> };
}

const DASHBOARDS = ['security', 'collection', 'executive'];
const VIEWPORTS = [
  { name: '1920x1080', width: 1920, height: 1080 },
  { name: '1366x768', width: 1366, height: 768 },
];
const ROW_HEIGHT = 30;
const MARGIN = 8;

function readDashboard(name: string): Dashboard {
  return JSON.parse(readFileSync(path.join(REPO_ROOT, 'src', 'dashboards', `${name}.json`), 'utf8')) as Dashboard;
}

/** Variables at their defaults: the data source variable is the provisioned one, "All" is no filter. */
function resolve(value: unknown, dashboard: Dashboard): unknown {
  const single = new Map<string, string>([['datasource', 'apifw-monitor']]);
  const all = new Set<string>();
  for (const variable of dashboard.templating.list) {
    if (variable.type === 'query') {
      all.add(variable.name);
    } else if (variable.type === 'custom' && typeof variable.current?.value === 'string') {
      single.set(variable.name, variable.current.value);
    }
  }
  const ref = /^\$\{?(\w+)(?::\w+)?\}?$/;
  const walk = (v: unknown): unknown => {
    if (Array.isArray(v)) {
      return v.filter((entry) => !(typeof entry === 'string' && all.has(ref.exec(entry)?.[1] ?? ''))).map(walk);
    }
    if (v && typeof v === 'object') {
      const out: Record<string, unknown> = {};
      for (const [key, entry] of Object.entries(v)) {
        const resolved = walk(entry);
        if (Array.isArray(entry) && entry.length > 0 && Array.isArray(resolved) && resolved.length === 0) {
          continue; // a list filter emptied by "All": no filter
        }
        out[key] = resolved;
      }
      return out;
    }
    if (typeof v === 'string') {
      return v.replace(/\$\{(\w+)(?::\w+)?\}|\$(\w+)/g, (match, a, b) => single.get(a ?? b) ?? match);
    }
    return v;
  };
  return walk(value);
}

for (const name of DASHBOARDS) {
  test(`${name} dashboard: every panel in its grid with data from the real backend`, async ({
    host,
    harness,
    timeRange,
    request,
  }) => {
    test.setTimeout(300_000);
    // The grid page is written into a page of the host's origin (so that the frames reach the
    // host and the backend); that page has no favicon.
    await host.page.route('**/favicon.ico', (route) => route.fulfill({ status: 204, body: '' }));
    const dashboard = readDashboard(name);
    const panels = dashboard.panels.filter((panel) => panel.type !== 'row');
    const results: Record<number, Array<{ error?: string; frames?: unknown[] }>> = {};
    for (const panel of panels) {
      expect(panel.description, `${panel.title}: description`).toBeTruthy();
      results[panel.id] = [];
      for (const target of panel.targets ?? []) {
        const query = {
          ...(resolve(target, dashboard) as Record<string, unknown>),
          refId: 'A',
          intervalMs: 60_000,
          maxDataPoints: 500,
        };
        const response = await request.post(`${harness.grafanaUrl}/api/ds/query`, {
          headers: GRAFANA_AUTH,
          data: { from: String(timeRange.from), to: String(timeRange.to), queries: [query] },
        });
        const body = (await response.json()) as { results?: Record<string, { error?: string; frames?: unknown[] }> };
        results[panel.id].push({ ...(body.results?.A ?? { error: `HTTP ${response.status()}` }), query } as never);
      }
    }

    for (const viewport of VIEWPORTS) {
      await host.page.setViewportSize(viewport);
      await host.page.goto(`${harness.hostUrl}/api/health`);
      const columnWidth = (viewport.width - MARGIN) / 24;
      const cells = panels.map((panel) => {
        const { x, y, w, h } = panel.gridPos;
        const box = {
          left: MARGIN + x * columnWidth,
          top: MARGIN + y * ROW_HEIGHT,
          width: w * columnWidth - MARGIN,
          height: h * ROW_HEIGHT - MARGIN,
        };
        let src = '';
        if (panel.type.startsWith('apifw-')) {
          const query = resolve(panel.targets?.[0] ?? {}, dashboard);
          const params = new URLSearchParams({
            plugin: panel.type,
            view: 'panel',
            theme: 'dark',
            title: panel.title,
            query: JSON.stringify(query),
            options: JSON.stringify(panel.options ?? {}),
            from: String(timeRange.from),
            to: String(timeRange.to),
            width: String(Math.round(box.width - 34)),
            height: String(Math.round(box.height - 58)),
          });
          src = `/?${params}`;
        }
        return { panel, box, src, results: results[panel.id] };
      });
      await host.page.setContent(gridHtml(dashboard, cells));
      const frames = host.page.locator('iframe');
      for (let i = 0; i < (await frames.count()); i++) {
        const frame = frames.nth(i).contentFrame();
        await expect(frame.locator('body')).toHaveAttribute('data-host-state', 'ready', { timeout: 30_000 });
      }
      const height = Math.max(...cells.map((cell) => cell.box.top + cell.box.height)) + MARGIN;
      await host.page.setViewportSize({ width: viewport.width, height: Math.ceil(height) });
      const file = path.join(SCREENSHOT_DIR, `dashboard-${name}-${viewport.name}.png`);
      await host.page.screenshot({ path: file, fullPage: true });
      await test.info().attach(`dashboard-${name}-${viewport.name}`, { path: file, contentType: 'image/png' });
    }

    // Every transaction panel got rows from the demo logs (the harness has no reports, so the
    // report panels of the collection and executive dashboards may be empty there).
    for (const panel of panels) {
      for (const result of results[panel.id]) {
        expect(result.error, `${panel.title}: query error`).toBeFalsy();
        expect(result.frames?.length ?? 0, `${panel.title}: frames`).toBeGreaterThan(0);
      }
    }
  });
}

interface Cell {
  panel: Panel;
  box: { left: number; top: number; width: number; height: number };
  src: string;
  results: Array<{ error?: string; frames?: unknown[] }>;
}

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/** The field filter a panel applies (its reduce field pattern, or a filterFieldsByName transformation). */
function fieldFilter(panel: Panel): (name: string) => boolean {
  const toRegExp = (pattern: string) =>
    pattern.startsWith('/') && pattern.endsWith('/') ? new RegExp(pattern.slice(1, -1)) : new RegExp(`^${pattern}$`);
  const reduce = (panel.options?.reduceOptions as { fields?: string } | undefined)?.fields;
  if (reduce) {
    const re = toRegExp(reduce);
    return (name) => re.test(name);
  }
  const transformations = (panel as { transformations?: Array<{ id: string; options: Record<string, unknown> }> })
    .transformations;
  for (const t of transformations ?? []) {
    if (t.id === 'filterFieldsByName') {
      const include = t.options.include as { names?: string[]; pattern?: string };
      if (include.names) {
        return (name) => include.names!.includes(name);
      }
      if (include.pattern) {
        const re = new RegExp(include.pattern);
        return (name) => re.test(name);
      }
    }
  }
  return () => true;
}

/** What a built-in panel's queries returned, as text: per field it shows, its name and first values. */
function summary(cell: Cell): string {
  const shows = fieldFilter(cell.panel);
  const lines: string[] = [];
  for (const result of cell.results) {
    if (result.error) {
      lines.push(`error: ${result.error}`);
      continue;
    }
    for (const frame of (result.frames ?? []) as Array<{
      schema: {
        name?: string;
        fields: Array<{ name: string; labels?: Record<string, string>; config?: { displayNameFromDS?: string } }>;
      };
      data: { values: unknown[][] };
    }>) {
      frame.schema.fields.forEach((field, i) => {
        const values = frame.data.values[i] ?? [];
        // Grafana matches fields by their display name: the backend's series name when it sets one.
        const display = field.config?.displayNameFromDS ?? field.name;
        if (field.name === 'time' || field.name === 'Time' || !shows(display)) {
          return;
        }
        const label = field.labels ? Object.values(field.labels).join(',') : '';
        const shown = values
          .slice(0, 4)
          .map((v) => (typeof v === 'number' && !Number.isInteger(v) ? v.toFixed(3) : String(v)));
        const total =
          values.every((v) => typeof v === 'number') && values.length > 4
            ? ` … Σ ${(values as number[]).reduce((a, b) => a + b, 0).toFixed(0)}`
            : values.length > 4
              ? ' …'
              : '';
        lines.push(`${field.name}${label ? ` {${label}}` : ''}: ${shown.join(', ')}${total}`);
      });
    }
  }
  return lines.slice(0, 14).map(escapeHtml).join('<br>');
}

function gridHtml(dashboard: Dashboard, cells: Cell[]): string {
  const boxes = cells
    .map(({ panel, box, src, results }, i) => {
      const style = `left:${box.left}px;top:${box.top}px;width:${box.width}px;height:${box.height}px`;
      const body = src
        ? `<iframe src="${escapeHtml(src)}" title="${escapeHtml(panel.title)}"></iframe>`
        : `<div class="kind">${escapeHtml(panel.type)}</div><div class="data">${summary({ panel, box, src, results })}</div>`;
      return `<section class="panel" data-panel="${i}" style="${style}"><h2>${escapeHtml(panel.title)}</h2>${body}</section>`;
    })
    .join('\n');
  return `<!doctype html><html><head><title>${escapeHtml(dashboard.title)}</title><style>
    body { margin: 0; background: #111217; color: #ccccdc; font: 12px Inter, Helvetica, Arial, sans-serif; }
    .panel { position: absolute; box-sizing: border-box; background: #181b1f; border: 1px solid #2c3235; border-radius: 2px; overflow: hidden; }
    .panel h2 { font-size: 13px; font-weight: 500; margin: 6px 8px; white-space: nowrap; overflow: hidden; text-overflow: ellipsis; }
    .panel iframe { border: 0; width: 100%; height: calc(100% - 28px); }
    .kind { color: #6e9fff; margin: 0 8px 4px; font-size: 11px; }
    .data { margin: 0 8px; font-family: monospace; font-size: 11px; line-height: 1.4; white-space: nowrap; }
  </style></head><body>${boxes}</body></html>`;
}
