export interface TopNPanelOptions {
  /** How many rows of each frame to show. */
  limit: number;
}

export const DEFAULT_TOPN_LIMIT = 10;
