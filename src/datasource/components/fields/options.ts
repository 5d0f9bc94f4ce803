import type { ComboboxOption } from '@grafana/ui';
import { getTemplateSrv } from '@grafana/runtime';

export const VARIABLES_GROUP = 'Dashboard variables';

/** The dashboard's template variables as options (`$name`), filtered by what was typed. */
export function variableOptions(search = ''): Array<ComboboxOption<string>> {
  const needle = search.toLowerCase().replace(/^\$/, '');
  let variables: Array<{ name: string; label?: string | null }> = [];
  try {
    variables = getTemplateSrv().getVariables();
  } catch {
    // No template service (a page outside dashboards): no variables to offer.
    variables = [];
  }
  return variables
    .filter((variable) => variable.name.toLowerCase().includes(needle))
    .map((variable) => ({
      value: `$${variable.name}`,
      label: `$${variable.name}`,
      description: variable.label ?? undefined,
      group: VARIABLES_GROUP,
    }));
}

/** Static options filtered by the typed text (case-insensitive, on value, label and description). */
export function filterOptions<T extends string>(options: Array<ComboboxOption<T>>, search: string) {
  const needle = search.trim().toLowerCase();
  if (needle === '') {
    return options;
  }
  return options.filter((option) =>
    [option.value, option.label ?? '', option.description ?? ''].some((text) => text.toLowerCase().includes(needle))
  );
}
