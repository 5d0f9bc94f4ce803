import React from 'react';
import { CoreApp } from '@grafana/data';
import { fireEvent, render, screen } from '@testing-library/react';

import type { ApifwQuery } from 'shared/query';
import { setupComboboxEnvironment } from '../../testing/environment';
import { fakeDataSource } from '../../testing/fakeDataSource';
import { InstancesEditor } from './InstancesEditor';
import { AuditIssuesEditor, InventoryEditor, isTrendInterval, LatestReportEditor, TrendEditor } from './ReportEditors';
import { StatsEditor } from './StatsEditor';
import { TopNEditor } from './TopNEditor';
import { TrafficEditor } from './TrafficEditor';
import type { TypeEditorProps } from './types';

function renderWith(Editor: React.ComponentType<TypeEditorProps>, query: ApifwQuery, app?: CoreApp) {
  const onChange = jest.fn();
  render(<Editor query={query} datasource={fakeDataSource().datasource} onChange={onChange} app={app} />);
  return onChange;
}

describe('per-type editors', () => {
  setupComboboxEnvironment();

  it('traffic: metric buttons and a series limit only when split by a dimension', () => {
    const onChange = renderWith(TrafficEditor, { refId: 'A', queryType: 'traffic', splitBy: 'outcome' });
    expect(screen.getByRole('combobox', { name: 'Split by' })).toHaveValue('Outcome');
    expect(screen.queryByRole('spinbutton', { name: 'Series' })).not.toBeInTheDocument();

    fireEvent.click(screen.getByRole('radio', { name: 'Blocked ratio' }));
    expect(onChange).toHaveBeenCalledWith({
      refId: 'A',
      queryType: 'traffic',
      splitBy: 'outcome',
      metric: 'blockedRatio',
    });
  });

  it('traffic: split by a dimension with a series limit', async () => {
    const onChange = renderWith(TrafficEditor, { refId: 'A', queryType: 'traffic', splitBy: 'instance', limit: 5 });
    const series = screen.getByRole('spinbutton', { name: 'Series' });
    expect(series).toHaveValue(5);
    fireEvent.change(series, { target: { value: '500' } });
    fireEvent.blur(series);
    // Above the backend's 100 series: not committed.
    expect(onChange).not.toHaveBeenCalled();

    fireEvent.click(screen.getByRole('combobox', { name: 'Split by' }));
    fireEvent.click(await screen.findByRole('option', { name: /^Status class/ }));
    expect(onChange).toHaveBeenCalledWith({ refId: 'A', queryType: 'traffic', splitBy: 'statusClass', limit: 5 });
  });

  it('topN: changes the dimension and the limit', async () => {
    const onChange = renderWith(TopNEditor, { refId: 'A', queryType: 'topN', dimension: 'clientIp', limit: 10 });
    const limit = screen.getByRole('spinbutton', { name: 'Limit' });
    fireEvent.change(limit, { target: { value: '25' } });
    fireEvent.keyDown(limit, { key: 'Enter' });
    expect(onChange).toHaveBeenCalledWith({ refId: 'A', queryType: 'topN', dimension: 'clientIp', limit: 25 });

    fireEvent.click(screen.getByRole('combobox', { name: 'Dimension' }));
    fireEvent.click(await screen.findByRole('option', { name: /^Error step/ }));
    expect(onChange).toHaveBeenLastCalledWith({ refId: 'A', queryType: 'topN', dimension: 'errorStep', limit: 10 });
  });

  it('stats: picks columns, and asks for exactly one in an alert rule', async () => {
    const onChange = renderWith(StatsEditor, { refId: 'A', queryType: 'stats' }, CoreApp.UnifiedAlerting);
    expect(screen.getByText('Pick one column for an alert condition')).toBeInTheDocument();

    fireEvent.click(screen.getByRole('combobox', { name: 'Columns' }));
    fireEvent.click(await screen.findByRole('option', { name: /^blockedRatio/ }));
    expect(onChange).toHaveBeenCalledWith({ refId: 'A', queryType: 'stats', columns: ['blockedRatio'] });
  });

  it('stats: no alert hint with one column', () => {
    renderWith(StatsEditor, { refId: 'A', queryType: 'stats', columns: ['blocked'] }, CoreApp.UnifiedAlerting);
    expect(screen.queryByText('Pick one column for an alert condition')).not.toBeInTheDocument();
  });

  it('instances: validates silentAfter as a duration', () => {
    renderWith(InstancesEditor, { refId: 'A', queryType: 'instances', silentAfter: '15 minutes' });
    expect(screen.getByText(/is not a duration/)).toBeInTheDocument();
  });

  it('auditIssues: group by and a limit except by severity', () => {
    const onChange = renderWith(AuditIssuesEditor, { refId: 'A', queryType: 'auditIssues', groupBy: 'severity' });
    expect(screen.queryByRole('spinbutton', { name: 'Limit' })).not.toBeInTheDocument();
    fireEvent.click(screen.getByRole('radio', { name: 'Category' }));
    expect(onChange).toHaveBeenCalledWith({ refId: 'A', queryType: 'auditIssues', groupBy: 'category' });
  });

  it('auditTrend: interval validation and grade thresholds', () => {
    const onChange = renderWith(TrendEditor, { refId: 'A', queryType: 'auditTrend', interval: 'weekly' });
    expect(screen.getByText('Write a duration such as 30m, 6h, 1d or 2w')).toBeInTheDocument();

    const good = screen.getByRole('spinbutton', { name: 'Good score' });
    fireEvent.change(good, { target: { value: '80' } });
    fireEvent.blur(good);
    expect(onChange).toHaveBeenCalledWith({
      refId: 'A',
      queryType: 'auditTrend',
      interval: 'weekly',
      grades: { good: 80 },
    });
  });

  it('grades: critical above good is flagged', () => {
    renderWith(LatestReportEditor, { refId: 'A', queryType: 'audit', grades: { good: 50, critical: 60 } });
    expect(screen.getByText('The critical threshold must not be above the good one')).toBeInTheDocument();
  });

  it('scan: report filters only', () => {
    renderWith(LatestReportEditor, { refId: 'A', queryType: 'scan' });
    expect(screen.queryByRole('spinbutton', { name: 'Good score' })).not.toBeInTheDocument();
    for (const name of ['API', 'Collection', 'Tag', 'Team']) {
      expect(screen.getByRole('combobox', { name })).toBeInTheDocument();
    }
  });

  it('inventory: the summary has no groupBy field', () => {
    const onChange = renderWith(InventoryEditor, { refId: 'A', queryType: 'inventory', groupBy: 'team' });
    fireEvent.click(screen.getByRole('radio', { name: 'Summary' }));
    expect(onChange).toHaveBeenCalledWith({ refId: 'A', queryType: 'inventory' });
  });

  it('isTrendInterval accepts Go durations, days and weeks', () => {
    expect(['30m', '6h', '1d', '2w', '1h30m'].every(isTrendInterval)).toBe(true);
    expect(['', 'weekly', '1y', 'd'].some(isTrendInterval)).toBe(false);
  });
});
