import React from 'react';
import { render, screen } from '@testing-library/react';
import { FieldType, toDataFrame } from '@grafana/data';

import { FrameList } from './FrameList';
import { rowEntries } from './testing/frameListRows';

describe('FrameList', () => {
  it('titles unnamed frames by refId or position and shows JSON values and empty cells as text', () => {
    const withRefId = toDataFrame({
      refId: 'B',
      fields: [
        { name: 'params', type: FieldType.other, values: [{ header: 'x-access-token', masked: true }] },
        { name: 'reason', type: FieldType.string, values: [null] },
      ],
    });
    const anonymous = toDataFrame({ fields: [{ name: 'count', type: FieldType.number, values: [] }] });

    render(<FrameList frames={[withRefId, anonymous]} />);

    expect(rowEntries(screen.getByRole('region', { name: 'B' }).querySelector('li')!)).toEqual({
      params: '{"header":"x-access-token","masked":true}',
      reason: '',
    });
    expect(screen.getByRole('region', { name: 'Frame 2' })).toHaveTextContent('No rows');
  });

  it('caps the rows of each frame', () => {
    const frame = toDataFrame({
      name: 'paths',
      fields: [{ name: 'path', type: FieldType.string, values: Array.from({ length: 205 }, (_, i) => `/p/${i}`) }],
    });

    render(<FrameList frames={[frame]} />);

    expect(screen.getAllByRole('listitem')).toHaveLength(200);
    expect(screen.getByText('… 5 more rows')).toBeInTheDocument();
  });
});
