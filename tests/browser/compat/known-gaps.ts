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

// None on @grafana/* 12.4 (the oldest generation since grafanaDependency >=12.4.0): the gaps 12.0
// had (Field/Card `noMargin`, added in 12.1; MultiCombobox `id`, added in 12.4) are all within the
// claimed range now. Keep the list for the next gap the matrix finds.
export const KNOWN_GAPS: KnownGap[] = [];

/** The known gap of a test on a generation, if any (and unless APIFW_KNOWN_GAPS=off). */
export function knownGap(generation: GenerationName, file: string, title: string): KnownGap | undefined {
  if (process.env.APIFW_KNOWN_GAPS === 'off') {
    return undefined;
  }
  return KNOWN_GAPS.find((gap) => gap.generation === generation && file.endsWith(gap.file) && gap.title.test(title));
}
