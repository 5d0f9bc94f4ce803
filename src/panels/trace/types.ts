export interface TracePanelOptions {
  /** Transaction UUID to show; empty shows every transaction in the data. May contain dashboard variables. */
  uuid: string;
}

export const DEFAULT_TRACE_UUID = '';
