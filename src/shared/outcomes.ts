import type { GrafanaTheme2 } from '@grafana/data';
import type { BadgeColor } from '@grafana/ui';

export const OUTCOMES = ['allowed', 'blocked', 'wouldBlock', 'unmatched'] as const;
export type OutcomeName = (typeof OUTCOMES)[number];

export const OUTCOME_LABELS: Record<OutcomeName, string> = {
  allowed: 'Allowed',
  blocked: 'Blocked',
  wouldBlock: 'Would block',
  unmatched: 'Unmatched',
};

/** Named colours of Grafana's visualisation palette, resolved per theme. */
const OUTCOME_COLOR_NAMES: Record<OutcomeName, string> = {
  allowed: 'green',
  blocked: 'red',
  wouldBlock: 'orange',
  unmatched: 'gray',
};

const OUTCOME_BADGES: Record<OutcomeName, BadgeColor> = {
  allowed: 'green',
  blocked: 'red',
  wouldBlock: 'orange',
  unmatched: 'darkgrey',
};

export function isOutcome(value: string): value is OutcomeName {
  return (OUTCOMES as readonly string[]).includes(value);
}

export function outcomeColor(theme: GrafanaTheme2, outcome: OutcomeName): string {
  return theme.visualization.getColorByName(OUTCOME_COLOR_NAMES[outcome]);
}

export function outcomeBadgeColor(outcome: string): BadgeColor {
  return isOutcome(outcome) ? OUTCOME_BADGES[outcome] : 'darkgrey';
}

export function outcomeLabel(outcome: string): string {
  return isOutcome(outcome) ? OUTCOME_LABELS[outcome] : outcome || 'Unknown';
}
