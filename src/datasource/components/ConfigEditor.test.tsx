import React from 'react';
import { fireEvent, render, screen, within } from '@testing-library/react';
import type { DataSourceSettings } from '@grafana/data';

import type { ApifwDataSourceOptions } from 'shared/settings';
import { ConfigEditor } from './ConfigEditor';

function buildOptions(jsonData: Partial<ApifwDataSourceOptions>): DataSourceSettings<ApifwDataSourceOptions> {
  // `database` is a deprecated field only some core data sources use, so it is left out.
  const settings: Omit<DataSourceSettings<ApifwDataSourceOptions>, 'database'> = {
    id: 1,
    uid: 'apifw-monitor',
    orgId: 1,
    name: 'API Firewall Monitor',
    typeLogoUrl: '',
    type: 'apifw-monitor-datasource',
    typeName: 'API Firewall Monitor',
    access: 'proxy',
    url: '',
    user: '',
    basicAuth: false,
    basicAuthUser: '',
    isDefault: false,
    jsonData: jsonData as ApifwDataSourceOptions,
    secureJsonFields: {},
    readOnly: false,
    withCredentials: false,
  };
  return settings as DataSourceSettings<ApifwDataSourceOptions>;
}

function renderEditor(jsonData: Partial<ApifwDataSourceOptions>) {
  const onOptionsChange = jest.fn();
  const options = buildOptions(jsonData);
  render(<ConfigEditor options={options} onOptionsChange={onOptionsChange} />);
  return { onOptionsChange, options };
}

describe('ConfigEditor', () => {
  it('shows the configured directories', () => {
    renderEditor({ logRoots: ['/var/log/apifw', '/srv/fw'], reportRoots: ['/srv/reports'] });
    expect(screen.getByLabelText('Log directories 1')).toHaveValue('/var/log/apifw');
    expect(screen.getByLabelText('Log directories 2')).toHaveValue('/srv/fw');
    expect(screen.getByLabelText('Report directories 1')).toHaveValue('/srv/reports');
  });

  it('adds an empty log directory entry, keeping the other settings', () => {
    const { onOptionsChange, options } = renderEditor({ logRoots: ['/var/log/apifw'], reportRoots: ['/srv/reports'] });

    fireEvent.click(screen.getByRole('button', { name: 'Add log directories' }));

    expect(onOptionsChange).toHaveBeenCalledTimes(1);
    expect(onOptionsChange).toHaveBeenCalledWith({
      ...options,
      jsonData: { logRoots: ['/var/log/apifw', ''], reportRoots: ['/srv/reports'] },
    });
  });

  it('adds a report directory when none existed before', () => {
    const { onOptionsChange } = renderEditor({ logRoots: ['/var/log/apifw'] });

    fireEvent.click(screen.getByRole('button', { name: 'Add report directories' }));

    expect(onOptionsChange.mock.calls[0][0].jsonData).toEqual({ logRoots: ['/var/log/apifw'], reportRoots: [''] });
  });

  it('edits and removes a log directory', () => {
    const { onOptionsChange } = renderEditor({ logRoots: ['/var/log/apifw', '/srv/fw'] });

    fireEvent.change(screen.getByLabelText('Log directories 2'), { target: { value: '/srv/firewall' } });
    expect(onOptionsChange.mock.calls[0][0].jsonData.logRoots).toEqual(['/var/log/apifw', '/srv/firewall']);

    fireEvent.click(screen.getByRole('button', { name: 'Remove Log directories 1' }));
    expect(onOptionsChange.mock.calls[1][0].jsonData.logRoots).toEqual(['/srv/fw']);
  });

  it('trims a path when the field loses focus', () => {
    const { onOptionsChange } = renderEditor({ logRoots: [' /var/log/apifw '] });

    fireEvent.blur(screen.getByLabelText('Log directories 1'));

    expect(onOptionsChange.mock.calls[0][0].jsonData.logRoots).toEqual(['/var/log/apifw']);
  });

  it('shows validation messages for relative, escaping and duplicate paths', () => {
    renderEditor({ logRoots: ['logs', '/var/log/../etc', '/srv/fw', '/srv/fw'] });

    const problems = within(screen.getByRole('alert', { name: 'Log directories problems' }));
    expect(problems.getByText(/Root 1 "logs" is not an absolute path/)).toBeInTheDocument();
    expect(problems.getByText(/Root 2 "\/var\/log\/\.\.\/etc" contains "\.\."/)).toBeInTheDocument();
    expect(problems.getByText('Root 4 "/srv/fw" is listed more than once.')).toBeInTheDocument();
  });

  it('asks for a log directory when none is configured, but accepts no report directory', () => {
    renderEditor({ logRoots: [] });

    expect(screen.getByRole('alert', { name: 'Log directories problems' })).toHaveTextContent(
      'Add at least one directory.'
    );
    expect(screen.queryByRole('alert', { name: 'Report directories problems' })).not.toBeInTheDocument();
  });

  it('shows no messages for valid settings', () => {
    renderEditor({ logRoots: ['/var/log/apifw'], reportRoots: ['/srv/reports'] });
    expect(screen.queryByRole('alert')).not.toBeInTheDocument();
  });
});
