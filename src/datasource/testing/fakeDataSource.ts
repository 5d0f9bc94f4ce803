import type { DataSource } from '../datasource';
import type { Suggestion, SuggestionRequest } from '../suggestions';

/** Suggestions per field, as the backend's resource would answer them (most frequent first). */
export const SUGGESTIONS: Record<string, Suggestion[]> = {
  api: [
    { value: 'a1b2', label: 'Petstore', count: 120 },
    { value: 'c3d4', label: 'Billing', count: 40 },
  ],
  instance: [
    { value: 'fw-1', label: 'fw-1', count: 100 },
    { value: 'fw-2', label: 'fw-2', count: 60 },
  ],
  status: [
    { value: '200', label: '200', count: 90 },
    { value: '403', label: '403', count: 30 },
  ],
  collection: [{ value: 'Payments', label: 'Payments', count: 2 }],
};

/** A data source whose suggestions filter SUGGESTIONS like the backend (substring, case-insensitive). */
export function fakeDataSource(failing = false) {
  const suggestions = jest.fn(async ({ field, prefix = '' }: SuggestionRequest) => {
    if (failing) {
      throw new Error('resource not found');
    }
    const needle = prefix.toLowerCase();
    return (SUGGESTIONS[field] ?? []).filter(
      (entry) => entry.value.toLowerCase().includes(needle) || entry.label.toLowerCase().includes(needle)
    );
  });
  return { datasource: { suggestions } as unknown as DataSource, suggestions };
}
