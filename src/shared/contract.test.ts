// The cross-language contract: src/shared/contract.json is generated from the Go query model
// (pkg/plugin/contract_test.go fails when it is stale); these tests fail when the TypeScript
// tables disagree with it. Regenerate: UPDATE_CONTRACT=1 go test ./pkg/plugin -run TestContract
import contract from './contract.json';
import { DEFAULT_JSON_PATHS, SECURE_SETTINGS_KEYS, SETTINGS_KEYS, STORES, VICTORIA_LOGS_KEYS } from './settings';
import { EXPLORER_LIST_KEYS, EXPLORER_TEXT_KEYS, FILTER_SPECS, type FilterSpec } from './filters';
import { OUTCOMES } from './outcomes';
import {
  DIMENSION_SPECS,
  type DimensionSpec,
  QUERY_KEYS,
  QUERY_TYPE_LABELS,
  REPORT_QUERY_TYPES,
  STATS_COLUMNS,
  TRANSACTION_QUERY_TYPES,
} from './query';

const sorted = (values: Iterable<string>) => [...values].sort();

describe('Go ↔ TypeScript query contract (contract.json)', () => {
  it('has the same query types, from the same sources', () => {
    const bySource = (source: string) => contract.queryTypes.filter((t) => t.source === source).map((t) => t.name);
    expect(TRANSACTION_QUERY_TYPES).toEqual(bySource('transactions'));
    expect(REPORT_QUERY_TYPES).toEqual(bySource('reports'));
    expect(sorted(Object.keys(QUERY_TYPE_LABELS))).toEqual(sorted(contract.queryTypes.map((t) => t.name)));
  });

  it('has the same dimensions, in the same order, with the same explorer parameters and descriptions', () => {
    const dims = DIMENSION_SPECS as readonly DimensionSpec[];
    expect(dims.map((d) => d.name)).toEqual(contract.dimensions.map((d) => d.name));
    for (const goDim of contract.dimensions) {
      const tsDim = dims.find((d) => d.name === goDim.name);
      expect({ name: goDim.name, explorerParam: tsDim?.explorerParam, description: tsDim?.description }).toEqual({
        name: goDim.name,
        explorerParam: goDim.explorerParam,
        description: goDim.description,
      });
    }
  });

  it('has the same filters, kinds, sources and explorer parameters', () => {
    const specs = FILTER_SPECS as readonly FilterSpec[];
    expect(sorted(specs.map((f) => f.key))).toEqual(sorted(contract.filters.map((f) => f.key)));
    for (const goFilter of contract.filters) {
      const spec = specs.find((f) => f.key === goFilter.key);
      expect({
        key: goFilter.key,
        kind: spec?.kind,
        sources: sorted(spec?.sources ?? []),
        explorer: spec?.explorer !== undefined,
      }).toEqual({
        key: goFilter.key,
        kind: goFilter.kind,
        sources: sorted(goFilter.sources),
        explorer: goFilter.explorer,
      });
    }
    const explorer = contract.filters.filter((f) => f.explorer).map((f) => f.key);
    expect(sorted([...EXPLORER_LIST_KEYS, ...EXPLORER_TEXT_KEYS])).toEqual(sorted(explorer));
  });

  it('dimension explorer parameters are explorer filters', () => {
    const explorer = new Set<string>([...EXPLORER_LIST_KEYS, ...EXPLORER_TEXT_KEYS]);
    for (const dim of DIMENSION_SPECS as readonly DimensionSpec[]) {
      if (dim.explorerParam) {
        expect(explorer.has(dim.explorerParam)).toBe(true);
      }
    }
  });

  it('has the same outcomes and stats columns', () => {
    expect([...OUTCOMES]).toEqual(contract.outcomes);
    expect(Object.values(STATS_COLUMNS)).toEqual(contract.statsColumns);
  });

  it('has the same query keys (but those Grafana sets)', () => {
    const editorKeys = contract.queryKeys.filter((key) => !contract.grafanaQueryKeys.includes(key));
    expect(sorted(QUERY_KEYS)).toEqual(sorted(editorKeys));
  });

  it('has the same settings keys and JSON path keys', () => {
    expect(sorted(SETTINGS_KEYS)).toEqual(sorted(contract.settingsKeys));
    expect(sorted(Object.keys(DEFAULT_JSON_PATHS))).toEqual(sorted(contract.jsonPathKeys));
  });

  it('has the same stores, VictoriaLogs keys and secure settings keys', () => {
    expect([...STORES]).toEqual(contract.stores);
    expect(sorted(VICTORIA_LOGS_KEYS)).toEqual(sorted(contract.victoriaLogsKeys));
    expect(sorted(SECURE_SETTINGS_KEYS)).toEqual(sorted(contract.secureSettingsKeys));
  });
});
