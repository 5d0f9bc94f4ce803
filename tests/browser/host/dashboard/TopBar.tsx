/** The preview's top bar: says plainly that this is not Grafana, and links the views. */
import React from 'react';
import { css } from '@emotion/css';
import type { GrafanaTheme2 } from '@grafana/data';
import { Icon, Stack, TextLink, useStyles2 } from '@grafana/ui';

import { APP_ID, viewUrl } from './links';

/** Where the README's section on installing into a real Grafana is served (the host serves the README beside the page). */
// The README ships inside the plugin (dist/README.md), so the host serves it with the plugin's files.
export const INSTALL_DOC_URL = '/public/plugins/apifw-monitor-app/README.md#installing-into-an-existing-grafana';

export const BUNDLED_DASHBOARDS = [
  { uid: 'apifw-security', title: 'API Firewall Security' },
  { uid: 'apifw-collection', title: 'API Collection' },
  { uid: 'apifw-executive', title: 'API Security Executive' },
];

export function TopBar({ current }: { current?: string }) {
  const styles = useStyles2(getStyles);
  return (
    <header className={styles.bar} data-testid="preview-bar">
      <Stack direction="row" alignItems="center" gap={2} wrap="wrap">
        <span className={styles.notice}>
          <Icon name="info-circle" /> Plugin host preview — this is not Grafana.
        </span>
        <span className={styles.hint}>
          Install the plugin into a real Grafana:{' '}
          <TextLink href={INSTALL_DOC_URL} external inline>
            README, “Installing into an existing Grafana”
          </TextLink>
        </span>
        <nav aria-label="Preview views" className={styles.nav}>
          <Stack direction="row" gap={2} wrap="wrap">
            <NavLink href={viewUrl('home')} active={current === 'home'}>
              Home
            </NavLink>
            <NavLink href={viewUrl('app', { plugin: APP_ID, path: 'home', nav: '1' })} active={current === 'app'}>
              App
            </NavLink>
            {BUNDLED_DASHBOARDS.map((dashboard) => (
              <NavLink
                key={dashboard.uid}
                href={viewUrl('dashboard', { uid: dashboard.uid })}
                active={current === dashboard.uid}
              >
                {dashboard.title}
              </NavLink>
            ))}
            <NavLink href={viewUrl('alerts')} active={current === 'alerts'}>
              Alert rules
            </NavLink>
          </Stack>
        </nav>
      </Stack>
    </header>
  );
}

function NavLink({ href, active, children }: React.PropsWithChildren<{ href: string; active: boolean }>) {
  const styles = useStyles2(getStyles);
  return (
    <a href={href} className={active ? styles.active : styles.link} aria-current={active ? 'page' : undefined}>
      {children}
    </a>
  );
}

const getStyles = (theme: GrafanaTheme2) => ({
  bar: css({
    padding: theme.spacing(1, 2),
    background: theme.colors.background.secondary,
    borderBottom: `1px solid ${theme.colors.border.weak}`,
  }),
  notice: css({
    fontWeight: theme.typography.fontWeightMedium,
    color: theme.colors.warning.text,
  }),
  hint: css({ color: theme.colors.text.secondary }),
  nav: css({ marginLeft: 'auto' }),
  link: css({ color: theme.colors.text.link }),
  active: css({ color: theme.colors.text.primary, fontWeight: theme.typography.fontWeightMedium }),
});
