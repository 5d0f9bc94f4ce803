/**
 * A panel plugin rendered the way Grafana renders it: its module imported, its option defaults
 * computed, the data through Grafana's field-config step, and its component given the props
 * Grafana's PanelRenderer passes. Shared by the `panel` view and the dashboard view.
 */
import React, { useMemo } from 'react';
import {
  applyFieldOverrides,
  EventBusSrv,
  type FieldConfigSource,
  type GrafanaTheme2,
  type InterpolateFunction,
  type PanelData,
  type PanelPlugin,
  type TimeRange,
} from '@grafana/data';
import { config } from '@grafana/runtime';

import { importPlugin } from '../services';

const loaded = new Map<string, Promise<PanelPlugin>>();

/** Imports a panel plugin's module once (the plugin meta comes from the boot data's panel list). */
export function loadPanelPlugin(pluginId: string): Promise<PanelPlugin> {
  let plugin = loaded.get(pluginId);
  if (!plugin) {
    const meta = config.panels[pluginId];
    if (!meta) {
      return Promise.reject(new Error(`Grafana lists no panel plugin "${pluginId}"`));
    }
    plugin = importPlugin<PanelPlugin>(meta.module).then((imported) => {
      imported.meta = imported.meta ?? meta;
      if (!imported.panel) {
        throw new Error(`${meta.module} has no panel component`);
      }
      return imported;
    });
    loaded.set(pluginId, plugin);
  }
  return plugin;
}

/** The plugin's field config defaults with the saved panel's own defaults and overrides on top. */
export function pluginFieldConfig(plugin: PanelPlugin, saved?: Partial<FieldConfigSource>): FieldConfigSource {
  const defaults = plugin.fieldConfigDefaults;
  return {
    defaults: {
      ...defaults.defaults,
      ...saved?.defaults,
      custom: { ...defaults.defaults.custom, ...saved?.defaults?.custom },
    },
    overrides: [...defaults.overrides, ...(saved?.overrides ?? [])],
  };
}

/** Grafana's panel query runner applies field config before the panel sees the frames: units, display processors, links. */
export function withFieldConfig(
  data: PanelData,
  plugin: PanelPlugin,
  fieldConfig: FieldConfigSource,
  theme: GrafanaTheme2,
  replaceVariables: InterpolateFunction
): PanelData {
  return {
    ...data,
    series: applyFieldOverrides({
      data: data.series,
      fieldConfig,
      fieldConfigRegistry: plugin.fieldConfigRegistry,
      replaceVariables,
      theme,
      timeZone: 'browser',
    }),
  };
}

export interface PluginPanelProps {
  plugin: PanelPlugin;
  id: number;
  title: string;
  data: PanelData;
  options: object;
  fieldConfig: FieldConfigSource;
  width: number;
  height: number;
  timeRange: TimeRange;
  replaceVariables: InterpolateFunction;
  onChangeTimeRange?: (range: { from: number; to: number }) => void;
}

/** The plugin's panel component with the props Grafana's PanelRenderer passes. */
export function PluginPanel({
  plugin,
  id,
  title,
  data,
  options,
  fieldConfig,
  width,
  height,
  timeRange,
  replaceVariables,
  onChangeTimeRange,
}: PluginPanelProps) {
  const Panel = plugin.panel!;
  const eventBus = useMemo(() => new EventBusSrv(), []);
  return (
    <Panel
      id={id}
      title={title}
      data={data}
      timeRange={timeRange}
      timeZone="browser"
      options={{ ...plugin.defaults, ...options }}
      fieldConfig={fieldConfig}
      transparent={false}
      width={width}
      height={height}
      renderCounter={1}
      eventBus={eventBus}
      onOptionsChange={() => {}}
      onFieldConfigChange={() => {}}
      replaceVariables={replaceVariables}
      onChangeTimeRange={(range) => onChangeTimeRange?.({ from: range.from.valueOf(), to: range.to.valueOf() })}
    />
  );
}
