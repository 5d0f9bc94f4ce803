import { PanelPlugin } from '@grafana/data';

import { TracePanel } from './components/TracePanel';
import { DEFAULT_TRACE_UUID, type TracePanelOptions } from './types';

export const plugin = new PanelPlugin<TracePanelOptions>(TracePanel).setPanelOptions((builder) =>
  builder.addTextInput({
    path: 'uuid',
    name: 'Transaction UUID',
    description: 'Show only this transaction. Accepts dashboard variables such as $uuid; leave empty to show all.',
    defaultValue: DEFAULT_TRACE_UUID,
  })
);
