import { PanelPlugin } from '@grafana/data';

import { TopNPanel } from './components/TopNPanel';
import { DEFAULT_TOPN_LIMIT, type TopNPanelOptions } from './types';

export const plugin = new PanelPlugin<TopNPanelOptions>(TopNPanel).setPanelOptions((builder) =>
  builder.addNumberInput({
    path: 'limit',
    name: 'Rows',
    description: 'How many of the top values to show',
    defaultValue: DEFAULT_TOPN_LIMIT,
    settings: { min: 1, max: 1000, integer: true },
  })
);
