export type TopNValue = 'count' | 'blocked' | 'blockedRatio';
export type TopNSort = 'value' | 'label';
export type TopNClickAction = 'none' | 'variable' | 'adhoc' | 'explorer';

export interface TopNPanelOptions {
  /** How many of the top values to show (the rest join the "other" row when shown). */
  limit: number;
  /** What the bar length shows. */
  value: TopNValue;
  /** Rank by the value (largest first) or by the label (A–Z). */
  sort: TopNSort;
  /** Show the remainder row. */
  showOther: boolean;
  /** What clicking a bar does. */
  clickAction: TopNClickAction;
  /** Dashboard variable (without $) a click sets, or the ad hoc filter variable a click adds to. */
  variableName: string;
}

export const DEFAULT_TOPN_LIMIT = 10;

export const DEFAULT_TOPN_OPTIONS: TopNPanelOptions = {
  limit: DEFAULT_TOPN_LIMIT,
  value: 'count',
  sort: 'value',
  showOther: true,
  clickAction: 'explorer',
  variableName: '',
};
