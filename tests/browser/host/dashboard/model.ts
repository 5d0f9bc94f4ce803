/**
 * The parts of Grafana's dashboard JSON the host reads, the time range in the URL, and the grid
 * layout (Grafana's DashboardGrid: 24 columns, 30 px rows, 8 px margins, vertical compaction, one
 * column below 769 px).
 */
import {
  dateMath,
  type DataTransformerConfig,
  type FieldConfigSource,
  type RawTimeRange,
  type TimeRange,
} from '@grafana/data';

export interface GridPos {
  x: number;
  y: number;
  w: number;
  h: number;
}

export interface DashboardLink {
  title: string;
  type: 'link' | 'dashboards';
  url?: string;
  tooltip?: string;
  icon?: string;
  tags?: string[];
  keepTime?: boolean;
}

export interface PanelModel {
  id: number;
  type: string;
  title?: string;
  description?: string;
  gridPos: GridPos;
  datasource?: { type?: string; uid?: string } | string | null;
  targets?: Array<Record<string, unknown> & { refId?: string; hide?: boolean }>;
  options?: Record<string, unknown>;
  fieldConfig?: Partial<FieldConfigSource>;
  transformations?: DataTransformerConfig[];
  maxDataPoints?: number;
  interval?: string;
  links?: Array<{ title: string; url: string }>;
  /** rows */
  collapsed?: boolean;
  panels?: PanelModel[];
}

export interface VariableModel {
  name: string;
  type: string;
  label?: string;
  description?: string;
  hide?: number;
  query?: unknown;
  datasource?: { type?: string; uid?: string } | string | null;
  multi?: boolean;
  includeAll?: boolean;
  allValue?: string | null;
  current?: { text?: string | string[]; value?: string | string[] };
  options?: Array<{ text: string; value: string; selected?: boolean }>;
  regex?: string;
  sort?: number;
}

export interface DashboardModel {
  uid: string;
  title: string;
  description?: string;
  tags?: string[];
  panels: PanelModel[];
  templating?: { list: VariableModel[] };
  time?: { from: string; to: string };
  refresh?: string;
  links?: DashboardLink[];
  timepicker?: { refresh_intervals?: string[] };
}

/** A URL time (`now-6h`, epoch milliseconds or an ISO date) as Grafana keeps it in a raw range. */
function rawTime(value: string | null, fallback: string): string {
  if (value === null || value === '') {
    return fallback;
  }
  return value;
}

/** Grafana's URL → time range: epoch milliseconds or relative expressions, `to` rounded up. */
export function parseTimeRange(from: string | null, to: string | null, defaults?: { from: string; to: string }) {
  const raw: RawTimeRange = { from: rawTime(from, defaults?.from ?? 'now-6h'), to: rawTime(to, defaults?.to ?? 'now') };
  return evaluateRange(raw);
}

/** Evaluates a raw range now (relative ranges move with each refresh). */
export function evaluateRange(raw: RawTimeRange): TimeRange {
  const parse = (value: RawTimeRange['from'], roundUp: boolean) => {
    const text = typeof value === 'string' && /^\d+$/.test(value) ? Number(value) : value;
    const parsed = dateMath.parse(typeof text === 'number' ? new Date(text).toISOString() : text, roundUp);
    if (!parsed || !parsed.isValid()) {
      throw new Error(`Invalid time in the URL: ${String(value)}`);
    }
    return parsed;
  };
  const fromRaw = typeof raw.from === 'string' && /^\d+$/.test(raw.from) ? parse(raw.from, false) : raw.from;
  const toRaw = typeof raw.to === 'string' && /^\d+$/.test(raw.to) ? parse(raw.to, true) : raw.to;
  return { from: parse(raw.from, false), to: parse(raw.to, true), raw: { from: fromRaw, to: toRaw } };
}

/** The URL form of a range: relative expressions stay text, absolute times become epoch milliseconds. */
export function rangeToUrl(range: TimeRange): { from: string; to: string } {
  const part = (raw: RawTimeRange['from'], value: TimeRange['from']) =>
    typeof raw === 'string' ? raw : String(value.valueOf());
  return { from: part(range.raw.from, range.from), to: part(range.raw.to, range.to) };
}

export const GRID_COLUMNS = 24;
export const GRID_CELL_HEIGHT = 30;
export const GRID_MARGIN = 8;
/** Below this width Grafana shows the panels one under the other, full width. */
export const GRID_SINGLE_COLUMN_WIDTH = 769;

export interface LaidOut {
  panel: PanelModel;
  left: number;
  top: number;
  width: number;
  height: number;
  /** a row panel: whether it is collapsed */
  row?: { collapsed: boolean };
}

/**
 * The visible panels of a dashboard in grid units: rows expand to their panels unless collapsed
 * (`collapsedRows` names the rows toggled from their saved state); then compacted upwards like
 * react-grid-layout does.
 */
export function visiblePanels(panels: PanelModel[], toggled: Set<number>): Array<{ panel: PanelModel; pos: GridPos }> {
  const result: Array<{ panel: PanelModel; pos: GridPos }> = [];
  let hiddenBelow: PanelModel | undefined;
  for (const panel of [...panels].sort((a, b) => a.gridPos.y - b.gridPos.y || a.gridPos.x - b.gridPos.x)) {
    if (panel.type === 'row') {
      const collapsed = Boolean(panel.collapsed) !== toggled.has(panel.id);
      result.push({ panel, pos: { ...panel.gridPos, x: 0, w: GRID_COLUMNS, h: 1 } });
      hiddenBelow = collapsed ? panel : undefined;
      if (!collapsed && panel.collapsed) {
        // A row saved collapsed keeps its panels inside itself.
        for (const child of panel.panels ?? []) {
          result.push({ panel: child, pos: { ...child.gridPos } });
        }
      }
      continue;
    }
    if (!hiddenBelow) {
      result.push({ panel, pos: { ...panel.gridPos } });
    }
  }
  return compact(result);
}

function collides(a: GridPos, b: GridPos) {
  return a.x < b.x + b.w && b.x < a.x + a.w && a.y < b.y + b.h && b.y < a.y + a.h;
}

/** react-grid-layout's vertical compaction: each item moves up as far as nothing above blocks it. */
function compact(items: Array<{ panel: PanelModel; pos: GridPos }>) {
  const placed: Array<{ panel: PanelModel; pos: GridPos }> = [];
  for (const item of [...items].sort((a, b) => a.pos.y - b.pos.y || a.pos.x - b.pos.x)) {
    const pos = { ...item.pos };
    while (pos.y > 0 && !placed.some((other) => collides({ ...pos, y: pos.y - 1 }, other.pos))) {
      pos.y--;
    }
    while (placed.some((other) => collides(pos, other.pos))) {
      pos.y++;
    }
    placed.push({ panel: item.panel, pos });
  }
  return placed;
}

/** Pixel boxes for a container `width` wide (react-grid-layout's calcGridItemPosition, no container padding). */
export function layout(
  items: Array<{ panel: PanelModel; pos: GridPos }>,
  width: number,
  toggled: Set<number>
): LaidOut[] {
  if (width < GRID_SINGLE_COLUMN_WIDTH) {
    let top = 0;
    return items.map(({ panel, pos }) => {
      const height = pos.h * GRID_CELL_HEIGHT + (pos.h - 1) * GRID_MARGIN;
      const box = { panel, left: 0, top, width, height, row: rowState(panel, toggled) };
      top += height + GRID_MARGIN;
      return box;
    });
  }
  const column = (width - GRID_MARGIN * (GRID_COLUMNS - 1)) / GRID_COLUMNS;
  return items.map(({ panel, pos }) => ({
    panel,
    left: Math.round((column + GRID_MARGIN) * pos.x),
    top: Math.round((GRID_CELL_HEIGHT + GRID_MARGIN) * pos.y),
    width: Math.round(column * pos.w + Math.max(0, pos.w - 1) * GRID_MARGIN),
    height: Math.round(GRID_CELL_HEIGHT * pos.h + Math.max(0, pos.h - 1) * GRID_MARGIN),
    row: rowState(panel, toggled),
  }));
}

function rowState(panel: PanelModel, toggled: Set<number>) {
  return panel.type === 'row' ? { collapsed: Boolean(panel.collapsed) !== toggled.has(panel.id) } : undefined;
}
