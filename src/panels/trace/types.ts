export interface TracePanelOptions {
  /** Transaction UUID to show. May contain dashboard variables ($uuid). */
  uuid: string;
  /** Show the panel's own UUID search box. */
  showSearch: boolean;
}

export const DEFAULT_TRACE_UUID = '';

export const DEFAULT_TRACE_OPTIONS: TracePanelOptions = { uuid: DEFAULT_TRACE_UUID, showSearch: true };
