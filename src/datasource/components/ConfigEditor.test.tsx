import React from 'react';
import { fireEvent, render, screen, within } from '@testing-library/react';
import type { DataSourceSettings } from '@grafana/data';

import contract from 'shared/contract.json';
import type { ApifwDataSourceOptions, ApifwSecureJsonData } from 'shared/settings';
import { setupComboboxEnvironment } from '../testing/environment';
import { ConfigEditor } from './ConfigEditor';

function buildOptions(
  jsonData: Partial<ApifwDataSourceOptions>,
  secureJsonFields: Record<string, boolean> = {}
): DataSourceSettings<ApifwDataSourceOptions, ApifwSecureJsonData> {
  // `database` is a deprecated field only some core data sources use, so it is left out.
  const settings: Omit<DataSourceSettings<ApifwDataSourceOptions, ApifwSecureJsonData>, 'database'> = {
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
    secureJsonFields,
    readOnly: false,
    withCredentials: false,
  };
  return settings as DataSourceSettings<ApifwDataSourceOptions, ApifwSecureJsonData>;
}

function renderEditor(jsonData: Partial<ApifwDataSourceOptions>, secureJsonFields: Record<string, boolean> = {}) {
  const onOptionsChange = jest.fn();
  const options = buildOptions(jsonData, secureJsonFields);
  render(<ConfigEditor options={options} onOptionsChange={onOptionsChange} />);
  return { onOptionsChange, options };
}

describe('ConfigEditor', () => {
  setupComboboxEnvironment();

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

  it('sets the date_epoch unit and removes it again for detection', () => {
    const { onOptionsChange } = renderEditor({ logRoots: ['/var/log/apifw'], dateEpochUnit: 'us' });

    fireEvent.click(screen.getByRole('radio', { name: 'Milliseconds' }));
    expect(onOptionsChange.mock.calls[0][0].jsonData).toEqual({ logRoots: ['/var/log/apifw'], dateEpochUnit: 'ms' });

    fireEvent.click(screen.getByRole('radio', { name: 'Detect' }));
    expect(onOptionsChange.mock.calls[1][0].jsonData).toEqual({ logRoots: ['/var/log/apifw'] });
  });

  it('validates include globs inline', () => {
    renderEditor({ logRoots: ['/var/log/apifw'], include: ['fw-[12/*.log'] });
    expect(screen.getByRole('alert', { name: 'Include problems' })).toHaveTextContent(
      'Pattern 1 "fw-[12/*.log" has a [ without its closing ].'
    );
  });

  it('switches from the default STDOUT file names to an editable list', () => {
    const { onOptionsChange } = renderEditor({ logRoots: ['/var/log/apifw'] });
    fireEvent.click(screen.getByRole('switch', { name: 'Default STDOUT files' }));
    expect(onOptionsChange.mock.calls[0][0].jsonData.stdoutFiles).toContain('*.stdout.log');
  });

  it('shows JSON path defaults as placeholders and saves only what was changed', () => {
    const { onOptionsChange } = renderEditor({ logRoots: ['/var/log/apifw'], jsonPaths: { api: 'meta.api' } });

    const instance = screen.getByRole('textbox', { name: 'JSON path of Instance name' });
    expect(instance).toHaveAttribute('placeholder', 'pod.instance_name');
    expect(screen.getByRole('textbox', { name: 'JSON path of API id' })).toHaveValue('meta.api');

    fireEvent.change(instance, { target: { value: 'kubernetes.pod' } });
    expect(onOptionsChange.mock.calls[0][0].jsonData.jsonPaths).toEqual({
      api: 'meta.api',
      instance: 'kubernetes.pod',
    });

    fireEvent.change(screen.getByRole('textbox', { name: 'JSON path of API id' }), { target: { value: '' } });
    expect(onOptionsChange.mock.calls[1][0].jsonData.jsonPaths).toEqual(undefined);
  });

  it('edits outcome rules starting from the built-in ones, and resets them', () => {
    const { onOptionsChange } = renderEditor({ logRoots: ['/var/log/apifw'] });
    expect(screen.getByRole('button', { name: /Reset to defaults/ })).toBeDisabled();

    // Rule 3 is "blocked when there are errors in blocking mode"; make it any mode.
    const rule3 = within(screen.getByRole('region', { name: 'Rule 3' }));
    fireEvent.click(
      within(rule3.getByRole('radiogroup', { name: 'Non-blocking mode' })).getByRole('radio', { name: 'Any' })
    );
    const saved = onOptionsChange.mock.calls[0][0].jsonData.outcomeRules;
    expect(saved.otherwise).toBe('allowed');
    expect(saved.rules).toEqual([
      { outcome: 'unmatched', unknownSource: true },
      { outcome: 'unmatched', api: ['n/a', ''] },
      { outcome: 'blocked', hasErrors: true },
      { outcome: 'wouldBlock', hasErrors: true, nonBlocking: true },
    ]);
  });

  it('removes a rule, flags a bad status, and resets to the defaults', () => {
    const { onOptionsChange } = renderEditor({
      logRoots: ['/var/log/apifw'],
      outcomeRules: {
        rules: [
          { outcome: 'blocked', status: ['6xx'] },
          { outcome: 'unmatched', api: ['n/a'] },
        ],
      },
    });
    expect(screen.getByRole('alert', { name: 'Outcome rules problems' })).toHaveTextContent(
      'Rule 1: status "6xx" is not a code (404) or class (4xx).'
    );

    fireEvent.click(screen.getByRole('button', { name: 'Remove rule 1' }));
    expect(onOptionsChange.mock.calls[0][0].jsonData.outcomeRules).toEqual({
      rules: [{ outcome: 'unmatched', api: ['n/a'] }],
      otherwise: 'allowed',
    });

    fireEvent.click(screen.getByRole('button', { name: 'Move rule 2 up' }));
    expect(
      onOptionsChange.mock.calls[1][0].jsonData.outcomeRules.rules.map((rule: { outcome: string }) => rule.outcome)
    ).toEqual(['unmatched', 'blocked']);

    fireEvent.click(screen.getByRole('button', { name: /Reset to defaults/ }));
    expect(onOptionsChange.mock.calls[2][0].jsonData).toEqual({ logRoots: ['/var/log/apifw'] });
  });

  it('lists masked headers and validates them', () => {
    const { onOptionsChange } = renderEditor({ logRoots: ['/var/log/apifw'], maskedHeaders: ['x secret'] });
    expect(screen.getByRole('alert', { name: 'Masked headers problems' })).toHaveTextContent('Header 1 "x secret"');
    fireEvent.click(screen.getByRole('button', { name: 'Remove Masked headers 1' }));
    expect(onOptionsChange.mock.calls[0][0].jsonData).toEqual({ logRoots: ['/var/log/apifw'] });
  });

  it('validates limits, durations and the state directory inline', () => {
    const { onOptionsChange } = renderEditor({
      logRoots: ['/var/log/apifw'],
      maxRows: 0,
      silentAfter: 'soon',
      stateDir: 'relative/state',
    });
    expect(screen.getByText('Max rows per query must be between 1 and 1,000,000.')).toBeInTheDocument();
    expect(screen.getByText(/Silent after "soon" is not a duration/)).toBeInTheDocument();
    expect(screen.getByText(/The state directory "relative\/state" is not an absolute path/)).toBeInTheDocument();

    fireEvent.change(screen.getByRole('spinbutton', { name: /Concurrent queries/ }), { target: { value: '8' } });
    expect(onOptionsChange.mock.calls[0][0].jsonData.maxConcurrentQueries).toBe(8);
    fireEvent.change(screen.getByRole('spinbutton', { name: /Max rows per query/ }), { target: { value: '' } });
    expect(onOptionsChange.mock.calls[1][0].jsonData).not.toHaveProperty('maxRows');
  });

  describe('store', () => {
    const vlSettings: Partial<ApifwDataSourceOptions> = {
      logRoots: [],
      store: 'victorialogs',
      victoriaLogs: { url: 'http://vl:9471' },
    };

    it('shows the VictoriaLogs fields only for the VictoriaLogs store, and switches stores', () => {
      const { onOptionsChange } = renderEditor({ logRoots: ['/var/log/apifw'] });
      expect(screen.getByRole('radio', { name: 'Embedded index' })).toBeChecked();
      expect(screen.queryByLabelText(/VictoriaLogs URL/)).not.toBeInTheDocument();

      fireEvent.click(screen.getByRole('radio', { name: 'VictoriaLogs cluster' }));
      expect(onOptionsChange.mock.calls[0][0].jsonData).toEqual({
        logRoots: ['/var/log/apifw'],
        store: 'victorialogs',
      });
    });

    it('goes back to the embedded index by removing the store setting', () => {
      const { onOptionsChange } = renderEditor(vlSettings);
      expect(screen.getByRole('radio', { name: 'VictoriaLogs cluster' })).toBeChecked();
      fireEvent.click(screen.getByRole('radio', { name: 'Embedded index' }));
      expect(onOptionsChange.mock.calls[0][0].jsonData).not.toHaveProperty('store');
    });

    it('says the log directories are not read, and does not ask for one', () => {
      renderEditor(vlSettings);
      expect(screen.getByText(/Not read while the store is VictoriaLogs/)).toBeInTheDocument();
      expect(screen.getByText(/the log directories below are not read on this server/)).toBeInTheDocument();
      expect(screen.queryByRole('alert', { name: 'Log directories problems' })).not.toBeInTheDocument();
    });

    // Every victoriaLogs key and secure setting the backend reads (contract.json, generated from Go),
    // with the field that edits it: a key without a field here fails the completeness check below.
    const textFields: Record<string, { label: RegExp; typed: string; saved: unknown }> = {
      url: { label: /^VictoriaLogs URL/, typed: 'https://vl.example:9471', saved: 'https://vl.example:9471' },
      accountId: { label: /^Account ID/, typed: '12', saved: '12' },
      projectId: { label: /^Project ID/, typed: '3', saved: '3' },
      username: { label: /^Username/, typed: 'grafana', saved: 'grafana' },
      tlsServerName: { label: /^TLS server name/, typed: 'vl.internal', saved: 'vl.internal' },
    };
    const otherFields = ['tlsSkipVerify', 'storageNodes'];
    const secureFields: Record<string, RegExp> = {
      victoriaLogsPassword: /^Password/,
      victoriaLogsBearerToken: /^Bearer token/,
      victoriaLogsCACert: /^CA certificate/,
    };

    it('has a field for every VictoriaLogs setting and secure setting', () => {
      expect([...Object.keys(textFields), ...otherFields].sort()).toEqual([...contract.victoriaLogsKeys].sort());
      expect(Object.keys(secureFields).sort()).toEqual([...contract.secureSettingsKeys].sort());
    });

    it.each(Object.entries(textFields))('saves %s in jsonData.victoriaLogs', (key, { label, typed, saved }) => {
      const { onOptionsChange } = renderEditor(vlSettings);
      fireEvent.change(screen.getByLabelText(label), { target: { value: typed } });
      const next = onOptionsChange.mock.calls[0][0];
      expect(next.jsonData.victoriaLogs).toEqual({ ...vlSettings.victoriaLogs, [key]: saved });
      expect(next.jsonData.store).toBe('victorialogs');
      expect(next.secureJsonData).toBeUndefined();
    });

    it('removes an optional setting when its field is cleared', () => {
      const { onOptionsChange } = renderEditor({
        ...vlSettings,
        victoriaLogs: { url: 'http://vl:9471', username: 'g' },
      });
      fireEvent.change(screen.getByLabelText(/^Username/), { target: { value: '' } });
      expect(onOptionsChange.mock.calls[0][0].jsonData.victoriaLogs).toEqual({ url: 'http://vl:9471' });
    });

    it('skips TLS verification when asked', () => {
      const { onOptionsChange } = renderEditor(vlSettings);
      fireEvent.click(screen.getByLabelText(/^Skip TLS verification/));
      expect(onOptionsChange.mock.calls[0][0].jsonData.victoriaLogs).toEqual({
        url: 'http://vl:9471',
        tlsSkipVerify: true,
      });
    });

    it('adds storage nodes and validates them', () => {
      const { onOptionsChange } = renderEditor({
        ...vlSettings,
        victoriaLogs: { url: 'http://vl:9471', storageNodes: ['http://s1:9491', 'vlstorage-2'] },
      });
      expect(screen.getByRole('alert', { name: 'Storage nodes problems' })).toHaveTextContent(
        'Storage node 2 "vlstorage-2" is not an http(s) URL.'
      );
      fireEvent.click(screen.getByRole('button', { name: 'Add storage nodes' }));
      expect(onOptionsChange.mock.calls[0][0].jsonData.victoriaLogs.storageNodes).toEqual([
        'http://s1:9491',
        'vlstorage-2',
        '',
      ]);
    });

    it('flags a URL that is not http(s) and tenant ids that are not numbers', () => {
      renderEditor({ ...vlSettings, victoriaLogs: { url: 'vl:9471', accountId: 'abc' } });
      expect(screen.getByText('"vl:9471" is not an http(s) URL.')).toBeInTheDocument();
      expect(screen.getByText('Account ID "abc" is not a number.')).toBeInTheDocument();
    });

    it.each(Object.entries(secureFields))('saves %s in secureJsonData only', (key, label) => {
      const { onOptionsChange } = renderEditor(vlSettings);
      fireEvent.change(screen.getByLabelText(label), { target: { value: 's3cret' } });
      const next = onOptionsChange.mock.calls[0][0];
      expect(next.secureJsonData).toEqual({ [key]: 's3cret' });
      expect(JSON.stringify(next.jsonData)).not.toContain('s3cret');
    });

    it.each(Object.entries(secureFields))('resets a configured %s', (key, label) => {
      const { onOptionsChange } = renderEditor(vlSettings, { [key]: true });
      const field = screen.getByLabelText(label);
      expect(field).toBeDisabled();
      expect(field).toHaveValue('configured');
      fireEvent.click(screen.getByRole('button', { name: 'Reset' })); // the one configured secret's

      const next = onOptionsChange.mock.calls[0][0];
      expect(next.secureJsonFields).toEqual({ [key]: false });
      expect(next.secureJsonData).toEqual({ [key]: '' });
    });
  });
});
