import React from 'react';
import { FieldSet, InlineField, Input } from '@grafana/ui';

import { DEFAULT_LIMITS, validateAbsolutePath, validateDuration, validateInteger } from 'shared/settings';
import type { SectionProps } from './types';

const LABEL_WIDTH = 26;

type NumberKey = 'maxRows' | 'queryTimeoutSeconds' | 'maxConcurrentQueries';

const NUMBER_FIELDS: Array<{ key: NumberKey; label: string; tooltip: string; min: number; max: number }> = [
  { key: 'maxRows', label: 'Max rows per query', tooltip: 'Cap on the rows any query returns', min: 1, max: 1_000_000 },
  {
    key: 'queryTimeoutSeconds',
    label: 'Query timeout (seconds)',
    tooltip: 'A query still scanning after this long stops with an error',
    min: 1,
    max: 3600,
  },
  {
    key: 'maxConcurrentQueries',
    label: 'Concurrent queries',
    tooltip: 'How many queries of one request run at the same time',
    min: 1,
    max: 64,
  },
];

/** Limits of the query engine and where the data source keeps its own state. */
export function LimitsSection({ jsonData, onChange }: SectionProps) {
  const silentProblems = validateDuration(jsonData.silentAfter, 'Silent after');
  const stateDirProblems = validateAbsolutePath(jsonData.stateDir, 'The state directory');
  const geoProblems = validateAbsolutePath(jsonData.geoDatabase, 'The geo database');

  return (
    <FieldSet label="Limits and state">
      {NUMBER_FIELDS.map(({ key, label, tooltip, min, max }) => {
        const value = jsonData[key];
        const problems = validateInteger(value, label, min, max);
        return (
          <InlineField
            key={key}
            label={label}
            labelWidth={LABEL_WIDTH}
            tooltip={tooltip}
            invalid={problems.length > 0}
            error={problems[0]}
          >
            <Input
              id={`apifw-${key}`}
              type="number"
              min={min}
              max={max}
              width={16}
              value={value ?? ''}
              placeholder={String(DEFAULT_LIMITS[key])}
              onChange={(event) => {
                const text = event.currentTarget.value.trim();
                onChange({ [key]: text === '' ? undefined : Number(text) });
              }}
            />
          </InlineField>
        );
      })}
      <InlineField
        label="Instance silent after"
        labelWidth={LABEL_WIDTH}
        tooltip="Default for the instances query: an instance with no record for this long is silent (Go duration)"
        invalid={silentProblems.length > 0}
        error={silentProblems[0]}
      >
        <Input
          id="apifw-silentAfter"
          width={16}
          value={jsonData.silentAfter ?? ''}
          placeholder={DEFAULT_LIMITS.silentAfter}
          onChange={(event) => onChange({ silentAfter: event.currentTarget.value.trim() || undefined })}
        />
      </InlineField>
      <InlineField
        label="State directory"
        labelWidth={LABEL_WIDTH}
        tooltip="Absolute directory where the index keeps its deletion log and file state. Default: <Grafana data>/apifw-monitor/<data source uid>"
        invalid={stateDirProblems.length > 0}
        error={stateDirProblems.join(' ')}
      >
        <Input
          id="apifw-stateDir"
          width={60}
          value={jsonData.stateDir ?? ''}
          placeholder="$GF_PATHS_DATA/apifw-monitor/<uid>"
          onChange={(event) => onChange({ stateDir: event.currentTarget.value || undefined })}
        />
      </InlineField>
      <InlineField
        label="Geo database"
        labelWidth={LABEL_WIDTH}
        tooltip="Optional absolute path of a MaxMind-format .mmdb file (GeoLite2, DB-IP or ip-location-db; country, city or ASN). Adds the client country, ASN and city dimensions. Read locally: no network look-ups."
        invalid={geoProblems.length > 0}
        error={geoProblems.join(' ')}
      >
        <Input
          id="apifw-geoDatabase"
          width={60}
          value={jsonData.geoDatabase ?? ''}
          placeholder="/var/lib/grafana/GeoLite2-Country.mmdb"
          onChange={(event) => onChange({ geoDatabase: event.currentTarget.value || undefined })}
        />
      </InlineField>
    </FieldSet>
  );
}
