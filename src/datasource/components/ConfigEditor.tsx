import React from 'react';
import type { DataSourcePluginOptionsEditorProps } from '@grafana/data';

import type { ApifwDataSourceOptions, ApifwSecureJsonData } from 'shared/settings';
import { LimitsSection } from './config/LimitsSection';
import { MaskingSection } from './config/MaskingSection';
import { OutcomeRulesSection } from './config/OutcomeRulesSection';
import { ParsingSection } from './config/ParsingSection';
import { SourcesSection } from './config/SourcesSection';
import { type SecureSettingsProps, StoreSection } from './config/StoreSection';

export type ConfigEditorProps = DataSourcePluginOptionsEditorProps<ApifwDataSourceOptions, ApifwSecureJsonData>;

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

  // Grafana's pattern for secure settings: a typed value goes to secureJsonData; a reset marks the
  // stored one as not configured and saves it empty.
  const secure: SecureSettingsProps = {
    configured: options.secureJsonFields ?? {},
    values: options.secureJsonData ?? {},
    onChange: (key, value) =>
      onOptionsChange({ ...options, secureJsonData: { ...options.secureJsonData, [key]: value } }),
    onReset: (key) =>
      onOptionsChange({
        ...options,
        secureJsonFields: { ...options.secureJsonFields, [key]: false },
        secureJsonData: { ...options.secureJsonData, [key]: '' },
      }),
  };

  const sectionProps = { jsonData, onChange };
  return (
    <>
      <StoreSection {...sectionProps} secure={secure} />
      <SourcesSection {...sectionProps} />
      <ParsingSection {...sectionProps} />
      <OutcomeRulesSection {...sectionProps} />
      <MaskingSection {...sectionProps} />
      <LimitsSection {...sectionProps} />
    </>
  );
}
