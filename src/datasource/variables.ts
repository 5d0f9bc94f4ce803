import { from, map, type Observable } from 'rxjs';
import {
  createDataFrame,
  CustomVariableSupport,
  type DataQueryRequest,
  type DataQueryResponse,
  FieldType,
} from '@grafana/data';
import type { DataQuery } from '@grafana/schema';

import { VariableQueryEditor } from './components/VariableQueryEditor';
import type { DataSource } from './datasource';
import type { Suggestion, SuggestionField } from './suggestions';

/** What a template variable of this data source lists: the values of one field. */
export interface ApifwVariableQuery extends DataQuery {
  field: SuggestionField;
  /** Only values containing this text (may use other variables). */
  prefix?: string;
  /** At most this many values (backend default 100, at most 1000). */
  limit?: number;
}

export const DEFAULT_VARIABLE_QUERY: Omit<ApifwVariableQuery, 'refId'> = { field: 'api', limit: 1000 };

/** Variable values as a frame of `text` and `value` (an API's text is its name, its value the id). */
export function suggestionsToFrame(values: Suggestion[]) {
  return createDataFrame({
    fields: [
      { name: 'text', type: FieldType.string, values: values.map((value) => value.label) },
      { name: 'value', type: FieldType.string, values: values.map((value) => value.value) },
    ],
  });
}

export class ApifwVariableSupport extends CustomVariableSupport<DataSource, ApifwVariableQuery> {
  editor = VariableQueryEditor;

  constructor(private readonly datasource: DataSource) {
    super();
  }

  query(request: DataQueryRequest<ApifwVariableQuery>): Observable<DataQueryResponse> {
    const target = { ...DEFAULT_VARIABLE_QUERY, ...request.targets[0] };
    return from(
      this.datasource.suggestions({
        field: target.field,
        prefix: target.prefix,
        limit: target.limit,
        range: request.range,
      })
    ).pipe(map((values) => ({ data: [suggestionsToFrame(values)] })));
  }
}
