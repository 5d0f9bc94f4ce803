/**
 * Grafana's built-in visualisations, drawn with the @grafana/ui components npm ships:
 * stat → BigValue, bargauge → BarGauge, gauge → Gauge where @grafana/ui still exports it (12.x),
 * table → Table, timeseries → TimeSeries, text → markdown. Visualisations whose components live
 * in Grafana's core and not in @grafana/ui (pie chart, bar chart, geomap, …) get a labelled
 * fallback that lists the values.
 */
import React from 'react';
import * as GrafanaUi from '@grafana/ui';
import { BarGauge, BigValue, Table, TimeSeries, TooltipPlugin2, VizRepeater } from '@grafana/ui';
import {
  type DataFrame,
  type Field,
  type LinkModel,
  type DisplayValueAlignmentFactors,
  type FieldConfigSource,
  type FieldDisplay,
  FieldType,
  getDisplayValueAlignmentFactors,
  getFieldDisplayName,
  getFieldDisplayValues,
  type GrafanaTheme2,
  type InterpolateFunction,
  type ReduceDataOptions,
  renderTextPanelMarkdown,
  type TimeRange,
  VizOrientation,
} from '@grafana/data';

export interface VizProps {
  type: string;
  series: DataFrame[];
  options: Record<string, unknown>;
  fieldConfig: FieldConfigSource;
  width: number;
  height: number;
  theme: GrafanaTheme2;
  timeRange: TimeRange;
  replaceVariables: InterpolateFunction;
}

/** What draws a built-in type: a component name for tests and the element, or undefined for the fallback. */
export function builtInRenderer(type: string): string | undefined {
  switch (type) {
    case 'stat':
      return 'BigValue';
    case 'bargauge':
      return 'BarGauge';
    case 'gauge':
      return gaugeComponent() ? 'Gauge' : 'BarGauge';
    case 'table':
      return 'Table';
    case 'timeseries':
      return 'TimeSeries';
    case 'text':
      return 'Markdown';
    default:
      return undefined;
  }
}

/** Types the host draws itself (everything else is a plugin panel, or a fallback when no plugin has the id). */
export const BUILT_IN_TYPES = new Set([
  'stat',
  'bargauge',
  'gauge',
  'table',
  'timeseries',
  'text',
  'piechart',
  'barchart',
  'geomap',
  'histogram',
  'heatmap',
  'state-timeline',
  'status-history',
  'trend',
  'xychart',
  'candlestick',
  'logs',
  'traces',
  'nodeGraph',
  'flamegraph',
  'news',
  'dashlist',
  'alertlist',
  'annolist',
  'canvas',
]);

/** @grafana/ui 12.x exports Gauge; 13.x no longer does (it lives in Grafana's gauge panel). */
function gaugeComponent(): React.ComponentType<Record<string, unknown>> | undefined {
  // Looked up by name at run time: a static import would not build against 13.x.
  const found = Object.entries(GrafanaUi).find(([name]) => name === 'Gauge');
  return found?.[1] as React.ComponentType<Record<string, unknown>> | undefined;
}

export function BuiltInViz(props: VizProps) {
  switch (props.type) {
    case 'stat':
      return <StatViz {...props} />;
    case 'bargauge':
    case 'gauge':
      return <GaugeViz {...props} />;
    case 'table':
      return <TableViz {...props} />;
    case 'timeseries':
      return <TimeSeriesViz {...props} />;
    case 'text':
      return <TextViz {...props} />;
    default:
      return <Fallback {...props} />;
  }
}

function displayValues({ series, options, fieldConfig, theme, replaceVariables }: VizProps, sparkline = false) {
  const reduceOptions: ReduceDataOptions = {
    values: false,
    calcs: ['lastNotNull'],
    ...(options.reduceOptions as Partial<ReduceDataOptions> | undefined),
  };
  return getFieldDisplayValues({
    fieldConfig,
    reduceOptions,
    replaceVariables,
    theme,
    data: series,
    sparkline,
    timeZone: 'browser',
  });
}

function orientation(options: Record<string, unknown>): VizOrientation {
  const value = options.orientation as VizOrientation | undefined;
  return value === VizOrientation.Horizontal || value === VizOrientation.Vertical ? value : VizOrientation.Auto;
}

function StatViz(props: VizProps) {
  const { options, width, height, theme } = props;
  const values = displayValues(props, options.graphMode !== 'none');
  return (
    <VizRepeater<FieldDisplay, DisplayValueAlignmentFactors>
      source={props.series}
      getValues={() => values}
      getAlignmentFactors={getDisplayValueAlignmentFactors}
      renderValue={({ value, width: w, height: h, alignmentFactors }) => (
        <BigValue
          value={value.display}
          sparkline={value.sparkline}
          colorMode={(options.colorMode as never) ?? 'value'}
          graphMode={(options.graphMode as never) ?? 'area'}
          justifyMode={(options.justifyMode as never) ?? 'auto'}
          textMode={(options.textMode as never) ?? 'auto'}
          alignmentFactors={alignmentFactors}
          text={options.text as never}
          width={w}
          height={h}
          theme={theme}
          count={values.length}
        />
      )}
      width={width}
      height={height}
      orientation={orientation(options)}
      autoGrid={true}
      itemSpacing={3}
      minVizWidth={75}
      minVizHeight={50}
      renderCounter={0}
    />
  );
}

function GaugeViz(props: VizProps) {
  const { type, options, width, height, theme } = props;
  const values = displayValues(props);
  const Gauge = type === 'gauge' ? gaugeComponent() : undefined;
  return (
    <VizRepeater<FieldDisplay, DisplayValueAlignmentFactors>
      source={props.series}
      getValues={() => values}
      getAlignmentFactors={getDisplayValueAlignmentFactors}
      renderValue={({ value, width: w, height: h, alignmentFactors, orientation: o }) =>
        Gauge ? (
          <Gauge
            value={value.display}
            field={value.field}
            width={w}
            height={h}
            theme={theme}
            showThresholdLabels={Boolean(options.showThresholdLabels)}
            showThresholdMarkers={options.showThresholdMarkers !== false}
            text={options.text}
            orientation={o}
          />
        ) : (
          <BarGauge
            value={value.display}
            field={value.field}
            display={value.view?.getFieldDisplayProcessor(value.colIndex ?? 0)}
            orientation={o}
            displayMode={(options.displayMode as never) ?? (type === 'gauge' ? 'basic' : 'gradient')}
            showUnfilled={options.showUnfilled !== false}
            valueDisplayMode={options.valueMode as never}
            namePlacement={options.namePlacement as never}
            text={options.text as never}
            alignmentFactors={alignmentFactors}
            width={w}
            height={h}
            theme={theme}
          />
        )
      }
      width={width}
      height={height}
      orientation={orientation(options)}
      itemSpacing={8}
      minVizWidth={Number(options.minVizWidth ?? 75)}
      minVizHeight={Number(options.minVizHeight ?? 16)}
      renderCounter={0}
    />
  );
}

function TableViz({ series, options, fieldConfig, width, height, timeRange, replaceVariables }: VizProps) {
  const frame = series[0];
  if (!frame) {
    return <NoData />;
  }
  const footer = options.footer as { show?: boolean; reducer?: string[]; fields?: string[] } | undefined;
  return (
    <Table
      data={frame}
      width={width}
      height={height}
      cellHeight={options.cellHeight as never}
      noHeader={options.showHeader === false}
      footerOptions={footer?.show ? ({ show: true, reducer: footer.reducer ?? ['sum'] } as never) : undefined}
      fieldConfig={fieldConfig}
      replaceVariables={replaceVariables}
      timeRange={timeRange}
    />
  );
}

/**
 * The links a data point offers, as Grafana's viz tooltip asks a field for them (getFieldDisplayLinks
 * in @grafana/ui's VizTooltip/utils): the row's value and its display, duplicates left out.
 */
export function fieldLinks(field: Field | undefined, rowIndex: number): Array<LinkModel<Field>> {
  if (!field?.getLinks || !field.config.links?.length) {
    return [];
  }
  const value = field.values[rowIndex];
  const calculatedValue = field.display ? field.display(value) : { text: `${value}`, numeric: Number(value) };
  const seen = new Set<string>();
  return field.getLinks({ calculatedValue, valueRowIndex: rowIndex }).filter((link) => {
    const key = `${link.title}/${link.href}`;
    return seen.has(key) ? false : (seen.add(key), true);
  });
}

// TooltipPlugin2's hover modes (a const enum in @grafana/ui's types, not exported at run time).
const HOVER_ONE = 0;
const HOVER_ALL = 1;

function TimeSeriesViz({ series, options, width, height, timeRange, theme }: VizProps) {
  const graphable = series.filter(
    (frame) =>
      frame.fields.some((field) => field.type === FieldType.time) &&
      frame.fields.some((field) => field.type === FieldType.number)
  );
  if (graphable.length === 0) {
    return <NoData text={series.length === 0 ? 'No data' : 'Data does not have a time field'} />;
  }
  const legend = {
    showLegend: true,
    displayMode: 'list',
    placement: 'bottom',
    calcs: [],
    ...(options.legend as object | undefined),
  };
  const tooltip = options.tooltip as { mode?: string } | undefined;
  if (tooltip?.mode === 'hidden') {
    return (
      <TimeSeries
        frames={graphable}
        width={width}
        height={height}
        timeRange={timeRange}
        timeZone="browser"
        legend={legend as never}
        options={options}
      />
    );
  }
  // Grafana's time series panel: hovering shows the closest series (or all of them in "multi" mode);
  // a click on a point pins the tooltip with that series' data links (configure-data-links docs:
  // "For the time series visualization you need to click a data point or line").
  return (
    <TimeSeries
      frames={graphable}
      width={width}
      height={height}
      timeRange={timeRange}
      timeZone="browser"
      legend={legend as never}
      options={options}
    >
      {(config, alignedFrame) => (
        <TooltipPlugin2
          config={config}
          hoverMode={(tooltip?.mode === 'multi' ? HOVER_ALL : HOVER_ONE) as never}
          getDataLinks={(seriesIdx, dataIdx) => fieldLinks(alignedFrame.fields[seriesIdx], dataIdx)}
          render={(_u, dataIdxs, seriesIdx, isPinned, _dismiss, _range, _viaSync, dataLinks) => (
            <SeriesTooltip
              frame={alignedFrame}
              dataIdxs={dataIdxs}
              seriesIdx={seriesIdx}
              isPinned={isPinned}
              links={dataLinks}
              theme={theme}
            />
          )}
        />
      )}
    </TimeSeries>
  );
}

/** The host's stand-in for Grafana's TimeSeriesTooltip (a core component): the series, its value, its links once pinned. */
function SeriesTooltip({
  frame,
  dataIdxs,
  seriesIdx,
  isPinned,
  links,
  theme,
}: {
  frame: DataFrame;
  dataIdxs: Array<number | null>;
  seriesIdx: number | null;
  isPinned: boolean;
  links: LinkModel[];
  theme: GrafanaTheme2;
}) {
  // Only the series under the cursor: its links are the ones a click pins (TooltipPlugin2 pins
  // nothing when no series is close enough).
  const field = seriesIdx != null && seriesIdx > 0 ? frame.fields[seriesIdx] : undefined;
  const row = seriesIdx != null ? dataIdxs[seriesIdx] : null;
  if (!field || row == null) {
    return null;
  }
  const time = frame.fields[0]?.values[row];
  return (
    <div
      data-testid="series-tooltip"
      data-pinned={String(isPinned)}
      style={{
        padding: theme.spacing(1),
        background: theme.colors.background.elevated,
        border: `1px solid ${theme.colors.border.weak}`,
        borderRadius: theme.shape.radius.default,
        boxShadow: theme.shadows.z3,
        fontSize: theme.typography.bodySmall.fontSize,
      }}
    >
      <div style={{ color: theme.colors.text.secondary }}>
        {typeof time === 'number' ? new Date(time).toISOString() : ''}
      </div>
      <div data-testid="series-tooltip-series">
        {getFieldDisplayName(field, frame)}: {formatted(field.display?.(field.values[row]))}
      </div>
      {isPinned && links.length > 0 && (
        <div
          style={{ marginTop: theme.spacing(0.5), display: 'flex', flexDirection: 'column', gap: theme.spacing(0.5) }}
        >
          {links.map((link, i) => (
            <a key={i} href={link.href} target={link.target} style={{ color: theme.colors.text.link }}>
              {link.title}
            </a>
          ))}
        </div>
      )}
    </div>
  );
}

/**
 * Grafana's text panel renders markdown with renderTextPanelMarkdown, which sanitises the HTML
 * (unless the server disables sanitising), and puts it in the page as HTML; the host does the same.
 */
function TextViz({ options, replaceVariables }: VizProps) {
  const mode = options.mode ?? 'markdown';
  const content = replaceVariables(String(options.content ?? ''), {}, 'html');
  if (mode !== 'markdown' && mode !== 'html') {
    return <pre style={{ margin: 0, whiteSpace: 'pre-wrap' }}>{content}</pre>;
  }
  const html =
    mode === 'markdown' ? renderTextPanelMarkdown(content) : renderTextPanelMarkdown(content.replace(/\n/g, ' '));
  return <div className="markdown-html" data-testid="text-panel" dangerouslySetInnerHTML={{ __html: html }} />;
}

function NoData({ text = 'No data' }: { text?: string }) {
  return (
    <div style={{ height: '100%', display: 'flex', alignItems: 'center', justifyContent: 'center', opacity: 0.7 }}>
      {text}
    </div>
  );
}

/** Visualisations @grafana/ui does not ship: clearly labelled, with the values compactly. */
function Fallback(props: VizProps) {
  const { type, series, theme } = props;
  const rows = fallbackRows(props);
  return (
    <div
      data-testid="viz-fallback"
      style={{ height: '100%', overflow: 'auto', fontSize: theme.typography.bodySmall.fontSize }}
    >
      <div style={{ color: theme.colors.text.secondary, marginBottom: theme.spacing(0.5) }}>
        {`${type}: not available outside Grafana — values:`}
      </div>
      {series.length === 0 || rows.length === 0 ? (
        <div style={{ color: theme.colors.text.secondary }}>No data</div>
      ) : (
        <table style={{ borderCollapse: 'collapse', width: '100%' }}>
          <tbody>
            {rows.map((row, index) => (
              <tr key={index} style={{ borderTop: `1px solid ${theme.colors.border.weak}` }}>
                <td style={{ padding: theme.spacing(0.25, 1, 0.25, 0), whiteSpace: 'nowrap' }}>
                  {row.color && (
                    <span
                      aria-hidden
                      style={{
                        display: 'inline-block',
                        width: 10,
                        height: 10,
                        marginRight: 6,
                        borderRadius: theme.shape.radius.default,
                        background: theme.visualization.getColorByName(row.color),
                      }}
                    />
                  )}
                  {row.name}
                </td>
                <td style={{ padding: theme.spacing(0.25, 0), textAlign: 'right', fontVariantNumeric: 'tabular-nums' }}>
                  {row.value}
                </td>
                {row.links.length > 0 && (
                  <td data-testid="viz-fallback-links" style={{ padding: theme.spacing(0.25, 0, 0.25, 1) }}>
                    {row.links.map((link, i) => (
                      <a
                        key={i}
                        href={link.href}
                        target={link.target}
                        style={{ color: theme.colors.text.link, marginRight: theme.spacing(1) }}
                      >
                        {link.title}
                      </a>
                    ))}
                  </td>
                )}
                {row.share !== undefined && (
                  <td
                    style={{
                      padding: theme.spacing(0.25, 0, 0.25, 1),
                      textAlign: 'right',
                      color: theme.colors.text.secondary,
                    }}
                  >
                    {row.share}
                  </td>
                )}
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </div>
  );
}

interface FallbackRow {
  name: string;
  value: string;
  share?: string;
  color?: string;
  /** The data links Grafana's tooltip would offer on a click on this slice, bar or marker. */
  links: LinkModel[];
}

/**
 * Reduced values (pie chart: one per field, with its share) or, for row-shaped data (bar chart:
 * a category column and numbers), each row's category and values; each with its data links.
 */
function fallbackRows(props: VizProps): FallbackRow[] {
  const { type, series } = props;
  const frame = series[0];
  const category = frame?.fields.find((field) => field.type === FieldType.string);
  if (type !== 'piechart' && frame && category) {
    const numbers = frame.fields.filter((field) => field.type === FieldType.number);
    return category.values.slice(0, 20).map((name, row) => ({
      name: String(name),
      value: numbers
        .map((field) => `${getFieldDisplayName(field, frame)} ${formatted(field.display?.(field.values[row]))}`)
        .join(', '),
      // A bar or marker is a numeric field's value in that row: its links, else the category's.
      links: fieldLinks(numbers.find((field) => field.config.links?.length) ?? category, row),
    }));
  }
  const values = displayValues(props).slice(0, 20);
  const total = values.reduce(
    (sum, value) => sum + (Number.isFinite(value.display.numeric) ? value.display.numeric : 0),
    0
  );
  return values.map((value) => ({
    name: value.display.title ?? '',
    value: formatted(value.display),
    share: type === 'piechart' && total > 0 ? `${((value.display.numeric / total) * 100).toFixed(1)} %` : undefined,
    color: value.display.color,
    links: value.getLinks?.() ?? [],
  }));
}

function formatted(display: { text: string; prefix?: string; suffix?: string } | undefined): string {
  return display ? `${display.prefix ?? ''}${display.text}${display.suffix ?? ''}` : '';
}
