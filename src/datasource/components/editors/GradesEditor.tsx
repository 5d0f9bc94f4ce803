import React from 'react';
import { InlineField } from '@grafana/ui';

import { type ApifwQuery, DEFAULT_GRADES, type GradeThresholds } from 'shared/query';
import { NumberInput } from '../fields/fields';
import { LABEL_WIDTH, type TypeEditorProps } from './types';

/** Grade thresholds of the report queries: good at or above `good`, critical below `critical`. */
export function GradesEditor({ query, onChange }: TypeEditorProps) {
  const grades = query.grades ?? {};
  const good = grades.good ?? DEFAULT_GRADES.good;
  const critical = grades.critical ?? DEFAULT_GRADES.critical;
  const invalid = critical > good;
  const update = (patch: GradeThresholds) => {
    const next = { ...grades, ...patch };
    const cleaned: GradeThresholds = {};
    if (next.good !== undefined) {
      cleaned.good = next.good;
    }
    if (next.critical !== undefined) {
      cleaned.critical = next.critical;
    }
    const changed: ApifwQuery = { ...query, grades: cleaned };
    if (cleaned.good === undefined && cleaned.critical === undefined) {
      delete changed.grades;
    }
    onChange(changed);
  };
  return (
    <>
      <InlineField
        label="Good score"
        labelWidth={LABEL_WIDTH}
        tooltip="Audit score (0–100) from which an API is graded good"
      >
        <NumberInput
          id="apifw-grade-good"
          label="Good score"
          value={grades.good}
          placeholder={String(DEFAULT_GRADES.good)}
          min={0}
          max={100}
          width={10}
          onCommit={(value) => update({ good: value })}
        />
      </InlineField>
      <InlineField
        label="Critical below"
        labelWidth={LABEL_WIDTH}
        tooltip="Audit score under which an API is graded critical"
        invalid={invalid}
        error="The critical threshold must not be above the good one"
      >
        <NumberInput
          id="apifw-grade-critical"
          label="Critical below"
          value={grades.critical}
          placeholder={String(DEFAULT_GRADES.critical)}
          min={0}
          max={100}
          width={10}
          onCommit={(value) => update({ critical: value })}
        />
      </InlineField>
    </>
  );
}
