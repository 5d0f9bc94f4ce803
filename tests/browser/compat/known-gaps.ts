import type { GenerationName } from '../generations';

/**
 * Tests that fail on an older frontend generation because the plugin uses an API that generation
 * lacks: real incompatibilities, found by the matrix and kept visible. Each runs as an expected
 * failure (`test.fail`) on that generation only, with its reason in the report; when the plugin
 * stops needing the API (or grafanaDependency moves past it), Playwright reports the test as
 * "expected to fail, but passed" and the entry must go. APIFW_KNOWN_GAPS=off runs them as
 * ordinary tests.
 */
export interface KnownGap {
  generation: GenerationName;
  /** Spec file name, e.g. app.spec.ts. */
  file: string;
  /** Matches the test's title (without the describe titles). */
  title: RegExp;
  /** What the plugin uses that the generation lacks, and where. */
  reason: string;
}

const NO_MARGIN_FIELD =
  '@grafana/ui 12.0 has no `noMargin` on Field (added in 12.1): React warns "does not recognize the `noMargin` prop on a DOM element" and the field keeps its 16 px bottom margin';
const NO_MARGIN_CARD =
  '@grafana/ui 12.0 has no `noMargin` on Card (added in 12.1): the same React warning, the card keeps its margin';
const MULTICOMBOBOX_NAME =
  '@grafana/ui 12.0 MultiCombobox takes neither `id` (12.4+) nor `aria-label` (13.0+) nor `aria-labelledby` (12.2+): the input has no accessible name, so its InlineField label does not name it';

export const KNOWN_GAPS: KnownGap[] = [
  {
    generation: 'grafana12',
    file: 'app.spec.ts',
    title: /^home page|^an unknown app path lands on the home page/,
    reason: `${NO_MARGIN_CARD} (src/app/components/DataSourceStatusCard.tsx, DashboardsList.tsx)`,
  },
  {
    generation: 'grafana12',
    file: 'app.spec.ts',
    title: /^trace explorer/,
    reason: `${NO_MARGIN_FIELD} (src/app/pages/traceExplorer/TraceExplorerPage.tsx)`,
  },
  {
    generation: 'grafana12',
    file: 'app.spec.ts',
    title: /^instances page/,
    reason: `${NO_MARGIN_FIELD} (src/app/pages/instances/InstancesPage.tsx)`,
  },
  {
    generation: 'grafana12',
    file: 'app.spec.ts',
    title: /^data management/,
    reason: `${NO_MARGIN_FIELD} (src/app/pages/dataManagement/DataManagementPage.tsx)`,
  },
  {
    generation: 'grafana12',
    file: 'hostile.spec.ts',
    title: /^trace explorer list and detail/,
    reason: `${NO_MARGIN_FIELD} (src/app/pages/traceExplorer/TraceExplorerPage.tsx)`,
  },
  {
    generation: 'grafana12',
    file: 'dashboards.spec.ts',
    title: /drills down into the app's trace explorer/,
    reason: `${NO_MARGIN_FIELD} (src/app/pages/traceExplorer/TraceExplorerPage.tsx)`,
  },
  {
    generation: 'grafana12',
    file: 'datasource.spec.ts',
    title: /^top N editor|^stats editor/,
    reason: `${MULTICOMBOBOX_NAME} (src/datasource/components/fields/SuggestionMultiSelect.tsx, src/datasource/components/editors/StatsEditor.tsx)`,
  },
];

/** The known gap of a test on a generation, if any (and unless APIFW_KNOWN_GAPS=off). */
export function knownGap(generation: GenerationName, file: string, title: string): KnownGap | undefined {
  if (process.env.APIFW_KNOWN_GAPS === 'off') {
    return undefined;
  }
  return KNOWN_GAPS.find((gap) => gap.generation === generation && file.endsWith(gap.file) && gap.title.test(title));
}
