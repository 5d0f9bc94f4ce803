/**
 * Grafana's field-config step for the host: the standard field config properties (unit, decimals,
 * display name, thresholds, colour, links, value mappings, …) that Grafana's core registers at
 * start-up (public/app/core/components/OptionsUI/registry.tsx: getAllStandardFieldConfigs), the
 * custom properties of the built-in visualisations the bundled dashboards use, and their
 * transformations.
 */
import { lastValueFrom, map, of, type OperatorFunction } from 'rxjs';
import {
  booleanOverrideProcessor,
  type DataFrame,
  type DataTransformerConfig,
  type DataTransformerInfo,
  dataLinksOverrideProcessor,
  displayNameOverrideProcessor,
  type Field,
  type FieldConfigPropertyItem,
  type FieldConfigSource,
  FieldConfigOptionsRegistry,
  FieldType,
  identityOverrideProcessor,
  numberOverrideProcessor,
  standardFieldConfigEditorRegistry,
  standardTransformers,
  stringOverrideProcessor,
  thresholdsOverrideProcessor,
  ThresholdsMode,
  valueMappingsOverrideProcessor,
} from '@grafana/data';

const noEditor = () => null;

function item(
  id: string,
  process: FieldConfigPropertyItem['process'],
  defaultValue?: unknown,
  isCustom = false
): FieldConfigPropertyItem {
  return {
    id: isCustom ? `custom.${id}` : id,
    path: id,
    name: id,
    editor: noEditor,
    override: noEditor,
    process,
    shouldApply: () => true,
    defaultValue,
    isCustom,
  } as FieldConfigPropertyItem;
}

/** The standard properties, with Grafana's defaults (thresholds: green, red from 80). */
function standardItems(): FieldConfigPropertyItem[] {
  return [
    item('displayName', displayNameOverrideProcessor),
    item('unit', stringOverrideProcessor),
    item('min', numberOverrideProcessor),
    item('max', numberOverrideProcessor),
    item('fieldMinMax', booleanOverrideProcessor),
    item('decimals', numberOverrideProcessor),
    item('noValue', stringOverrideProcessor),
    item('mappings', valueMappingsOverrideProcessor),
    item('thresholds', thresholdsOverrideProcessor, {
      mode: ThresholdsMode.Absolute,
      steps: [
        { value: -Infinity, color: 'green' },
        { value: 80, color: 'red' },
      ],
    }),
    item('color', identityOverrideProcessor),
    item('links', dataLinksOverrideProcessor),
    item('actions', identityOverrideProcessor),
    item('filterable', booleanOverrideProcessor),
  ];
}

/** Fills Grafana's standard field config registry, as Grafana's start-up does; plugin panels' registries build on it. */
export function installStandardFieldConfig() {
  standardFieldConfigEditorRegistry.setInit(standardItems);
}

/** Defaults of the built-in visualisations' custom properties (their panelcfg schemas in Grafana). */
const CUSTOM_DEFAULTS: Record<string, Record<string, unknown>> = {
  timeseries: {
    drawStyle: 'line',
    lineInterpolation: 'linear',
    barAlignment: 0,
    lineWidth: 1,
    fillOpacity: 0,
    gradientMode: 'none',
    spanNulls: false,
    insertNulls: false,
    showPoints: 'auto',
    pointSize: 5,
    stacking: { mode: 'none', group: 'A' },
    axisPlacement: 'auto',
    axisLabel: '',
    axisColorMode: 'text',
    axisBorderShow: false,
    axisCenteredZero: false,
    scaleDistribution: { type: 'linear' },
    hideFrom: { tooltip: false, viz: false, legend: false },
    thresholdsStyle: { mode: 'off' },
  },
  table: { align: 'auto', cellOptions: { type: 'auto' }, inspect: false },
};

/** Standard options each built-in visualisation sets its own default for (its plugin's `standardOptions`). */
const STANDARD_DEFAULTS: Record<string, Record<string, unknown>> = {
  timeseries: { color: { mode: 'palette-classic' } },
  barchart: { color: { mode: 'palette-classic' } },
  piechart: { color: { mode: 'palette-classic' } },
  stat: { color: { mode: 'thresholds' } },
  gauge: { color: { mode: 'thresholds' } },
  bargauge: { color: { mode: 'thresholds' } },
  table: { color: { mode: 'thresholds' } },
};

/**
 * The registry for a built-in visualisation: the standard properties, its custom properties with
 * their defaults, and any other `custom.*` property the saved panel sets.
 */
export function builtInFieldConfigRegistry(type: string, fieldConfig: FieldConfigSource): FieldConfigOptionsRegistry {
  const registry = new FieldConfigOptionsRegistry(() => {
    const items = standardItems().map((standard) => {
      const own = STANDARD_DEFAULTS[type]?.[standard.id];
      return own === undefined ? standard : { ...standard, defaultValue: own };
    });
    const custom = new Map<string, unknown>(Object.entries(CUSTOM_DEFAULTS[type] ?? {}));
    for (const key of Object.keys(fieldConfig.defaults.custom ?? {})) {
      if (!custom.has(key)) {
        custom.set(key, undefined);
      }
    }
    for (const override of fieldConfig.overrides) {
      for (const property of override.properties) {
        const key = property.id.startsWith('custom.') ? property.id.slice('custom.'.length) : undefined;
        if (key && !custom.has(key)) {
          custom.set(key, undefined);
        }
      }
    }
    for (const [key, defaultValue] of custom) {
      items.push(item(key, identityOverrideProcessor, defaultValue, true));
    }
    return items;
  });
  return registry;
}

/** A saved panel's fieldConfig, completed so applyFieldOverrides has what Grafana's panel model would give it. */
export function normaliseFieldConfig(fieldConfig: Partial<FieldConfigSource> | undefined): FieldConfigSource {
  return { defaults: { ...fieldConfig?.defaults }, overrides: [...(fieldConfig?.overrides ?? [])] };
}

/**
 * Grafana's "rows to fields" transformation (a core transformer, not in @grafana/data): each row
 * becomes a field named after its `field.name` column, valued by its `field.value` column.
 */
function rowsToFields(options: {
  mappings?: Array<{ fieldName: string; handlerKey: string }>;
}): OperatorFunction<DataFrame[], DataFrame[]> {
  return map((frames: DataFrame[]) => frames.map((frame) => rowsToFieldsFrame(frame, options.mappings ?? [])));
}

function rowsToFieldsFrame(frame: DataFrame, mappings: Array<{ fieldName: string; handlerKey: string }>): DataFrame {
  const byHandler = (key: string) =>
    frame.fields.find((field) => mappings.some((m) => m.fieldName === field.name && m.handlerKey === key));
  const nameField = byHandler('field.name') ?? frame.fields.find((field) => field.type === FieldType.string);
  const valueField = byHandler('field.value') ?? frame.fields.find((field) => field.type === FieldType.number);
  if (!nameField || !valueField) {
    return frame;
  }
  const fields: Field[] = nameField.values.map((name, row) => ({
    name: String(name),
    type: valueField.type,
    config: { ...valueField.config, displayNameFromDS: String(name) },
    values: [valueField.values[row]],
  }));
  return { ...frame, fields, length: 1 };
}

const TRANSFORMERS = new Map<string, DataTransformerInfo>(
  Object.values(standardTransformers).map((info) => [info.id, info as DataTransformerInfo])
);

/**
 * Runs a panel's transformations in order. Each transformer's operator is used directly (the
 * registry item's shape differs between Grafana 12 and 13). Unknown transformations are skipped
 * and named in the returned notes.
 */
export async function applyTransformations(
  frames: DataFrame[],
  transformations: DataTransformerConfig[] | undefined,
  interpolate: (value: string) => string
): Promise<{ frames: DataFrame[]; notes: string[] }> {
  const notes: string[] = [];
  let result = frames;
  for (const config of transformations ?? []) {
    if (config.disabled) {
      continue;
    }
    let operator: OperatorFunction<DataFrame[], DataFrame[]> | undefined;
    if (config.id === 'rowsToFields') {
      operator = rowsToFields(config.options);
    } else {
      const info = TRANSFORMERS.get(config.id);
      // Like Grafana's transformDataFrame: the saved options over the transformer's defaults.
      operator = info?.operator({ ...info.defaultOptions, ...config.options }, { interpolate });
    }
    if (!operator) {
      notes.push(`transformation "${config.id}" is not available in the host; skipped`);
      continue;
    }
    result = await lastValueFrom(of(result).pipe(operator));
  }
  return { frames: result, notes };
}
