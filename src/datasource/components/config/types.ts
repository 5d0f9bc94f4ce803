import type { ApifwDataSourceOptions } from 'shared/settings';

/** What each settings section gets: the current jsonData and a way to change part of it. */
export interface SectionProps {
  jsonData: ApifwDataSourceOptions;
  /** Merges the patch into jsonData; a key set to undefined is removed (its default applies). */
  onChange: (patch: Partial<ApifwDataSourceOptions>) => void;
}
