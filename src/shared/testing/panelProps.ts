import {
  type DataFrame,
  EventBusSrv,
  type FieldConfigSource,
  getDefaultTimeRange,
  LoadingState,
  type PanelProps,
} from '@grafana/data';

/** Complete PanelProps for rendering a panel component in tests, with the given frames as query result. */
export function buildPanelProps<TOptions>(options: TOptions, series: DataFrame[]): PanelProps<TOptions> {
  const timeRange = getDefaultTimeRange();
  const fieldConfig: FieldConfigSource = { defaults: {}, overrides: [] };
  return {
    id: 1,
    data: { state: LoadingState.Done, series, timeRange },
    timeRange,
    timeZone: 'utc',
    options,
    transparent: false,
    width: 600,
    height: 400,
    fieldConfig,
    renderCounter: 1,
    title: 'Test panel',
    eventBus: new EventBusSrv(),
    onOptionsChange: jest.fn(),
    onFieldConfigChange: jest.fn(),
    replaceVariables: (value: string) => value,
    onChangeTimeRange: jest.fn(),
  };
}
