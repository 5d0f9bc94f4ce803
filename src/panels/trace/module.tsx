import { PanelPlugin } from '@grafana/data';

import { TracePanel } from './components/TracePanel';
import { DEFAULT_TRACE_OPTIONS, type TracePanelOptions } from './types';

export const plugin = new PanelPlugin<TracePanelOptions>(TracePanel).setPanelOptions((builder) =>
  builder
    .addTextInput({
      path: 'uuid',
      name: 'Transaction UUID',
      description:
        "The transaction to show. Accepts dashboard variables such as $uuid. Empty: the transaction of the panel's trace query, or the one searched for.",
      defaultValue: DEFAULT_TRACE_OPTIONS.uuid,
    })
    .addBooleanSwitch({
      path: 'showSearch',
      name: 'Search box',
      description: 'Let viewers look up any transaction UUID in the panel',
      defaultValue: DEFAULT_TRACE_OPTIONS.showSearch,
    })
);
