import { within } from '@testing-library/react';

/** The field name → display text pairs of one FrameList row, read from its <dt>/<dd> elements. */
export function rowEntries(row: HTMLElement): Record<string, string> {
  const names = within(row).getAllByRole('term');
  const values = within(row).getAllByRole('definition');
  return Object.fromEntries(names.map((name, index) => [name.textContent ?? '', values[index]?.textContent ?? '']));
}
