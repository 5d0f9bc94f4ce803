import { PanelPlugin } from '@grafana/data';

import { TopNPanel } from './components/TopNPanel';
import { DEFAULT_TOPN_OPTIONS, type TopNPanelOptions } from './types';

export const plugin = new PanelPlugin<TopNPanelOptions>(TopNPanel).setPanelOptions((builder) =>
  builder
    .addRadio({
      path: 'value',
      name: 'Value',
      description: 'What the bar length shows',
      defaultValue: DEFAULT_TOPN_OPTIONS.value,
      settings: {
        options: [
          { value: 'count', label: 'Count', description: 'All transactions, split by outcome' },
          { value: 'blocked', label: 'Blocked', description: 'Blocked transactions' },
          { value: 'blockedRatio', label: 'Blocked ratio', description: 'Blocked share of each value' },
        ],
      },
    })
    .addRadio({
      path: 'sort',
      name: 'Sort',
      defaultValue: DEFAULT_TOPN_OPTIONS.sort,
      settings: {
        options: [
          { value: 'value', label: 'By value' },
          { value: 'label', label: 'By name' },
        ],
      },
    })
    .addNumberInput({
      path: 'limit',
      name: 'Rows',
      description: 'How many of the top values to show; the rest join "Other". The query\'s limit caps it.',
      defaultValue: DEFAULT_TOPN_OPTIONS.limit,
      settings: { min: 1, max: 1000, integer: true },
    })
    .addBooleanSwitch({
      path: 'showOther',
      name: 'Show "Other"',
      description: 'A last row with everything past the top values',
      defaultValue: DEFAULT_TOPN_OPTIONS.showOther,
    })
    .addSelect({
      path: 'clickAction',
      name: 'On click',
      defaultValue: DEFAULT_TOPN_OPTIONS.clickAction,
      settings: {
        options: [
          { value: 'explorer', label: 'Open the transactions in the trace explorer' },
          { value: 'variable', label: 'Set a dashboard variable' },
          { value: 'adhoc', label: 'Add an ad hoc filter' },
          { value: 'none', label: 'Nothing' },
        ],
      },
    })
    .addTextInput({
      path: 'variableName',
      name: 'Variable',
      description:
        "The variable to set (default: the dimension's name) or the ad hoc filter variable (default: Filters)",
      defaultValue: DEFAULT_TOPN_OPTIONS.variableName,
      showIf: (options) => options.clickAction === 'variable' || options.clickAction === 'adhoc',
    })
);
