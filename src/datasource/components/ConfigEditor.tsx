import React from 'react';
import type { DataSourcePluginOptionsEditorProps } from '@grafana/data';

import type { ApifwDataSourceOptions } from 'shared/settings';
import { LimitsSection } from './config/LimitsSection';
import { MaskingSection } from './config/MaskingSection';
import { OutcomeRulesSection } from './config/OutcomeRulesSection';
import { ParsingSection } from './config/ParsingSection';
import { SourcesSection } from './config/SourcesSection';

export type ConfigEditorProps = DataSourcePluginOptionsEditorProps<ApifwDataSourceOptions>;

/** Data source settings: what the backend reads on the Grafana server and how. */
export function ConfigEditor({ options, onOptionsChange }: ConfigEditorProps) {
  const jsonData = { ...options.jsonData, logRoots: options.jsonData.logRoots ?? [] };

  const onChange = (patch: Partial<ApifwDataSourceOptions>) => {
    const next: ApifwDataSourceOptions = { ...jsonData, ...patch };
    // A setting cleared in the editor is removed, so the backend's default applies.
    for (const [key, value] of Object.entries(patch)) {
      if (value === undefined) {
        delete next[key as keyof ApifwDataSourceOptions];
      }
    }
    onOptionsChange({ ...options, jsonData: next });
  };

  const sectionProps = { jsonData, onChange };
  return (
    <>
      <SourcesSection {...sectionProps} />
      <ParsingSection {...sectionProps} />
      <OutcomeRulesSection {...sectionProps} />
      <MaskingSection {...sectionProps} />
      <LimitsSection {...sectionProps} />
    </>
  );
}
