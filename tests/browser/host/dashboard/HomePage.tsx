/** The preview's start page: what this is, and links to the app's pages, the dashboards and the alert rules. */
import React from 'react';
import { css } from '@emotion/css';
import type { GrafanaTheme2 } from '@grafana/data';
import { Card, Stack, Text, useStyles2 } from '@grafana/ui';

import { viewUrl } from './links';
import { TopBar } from './TopBar';

export interface HomeLink {
  title: string;
  href: string;
  description?: string;
}

export interface HomeProps {
  appName: string;
  pages: HomeLink[];
  dashboards: HomeLink[];
}

export function HomePage({ appName, pages, dashboards }: HomeProps) {
  const styles = useStyles2(getStyles);
  return (
    <div className={styles.page} data-testid="home">
      <TopBar current="home" />
      <main className={styles.main}>
        <Stack direction="column" gap={3}>
          <div>
            <h1 className={styles.title}>{appName}</h1>
            <Text color="secondary" element="p">
              The plugin&apos;s real pages, panels and dashboards, drawn by a small host page with Grafana&apos;s npm
              packages and answered by the real data source backend through the plugin host. Menus, editing, sharing and
              users are Grafana&apos;s and are not here.
            </Text>
          </div>
          <Section title="App pages" links={pages} testId="home-pages" />
          <Section title="Dashboards" links={dashboards} testId="home-dashboards" />
          <Section
            title="Alerting"
            testId="home-alerts"
            links={[
              {
                title: 'Alert rules',
                href: viewUrl('alerts'),
                description: 'The provisioned rules, their state and health, and their alert instances.',
              },
            ]}
          />
        </Stack>
      </main>
    </div>
  );
}

function Section({ title, links, testId }: { title: string; links: HomeLink[]; testId: string }) {
  const styles = useStyles2(getStyles);
  return (
    <section aria-label={title} data-testid={testId}>
      <h2 className={styles.section}>{title}</h2>
      <div className={styles.cards}>
        {links.map((link) => (
          <Card key={link.href} href={link.href}>
            <Card.Heading>{link.title}</Card.Heading>
            {link.description && <Card.Description>{link.description}</Card.Description>}
          </Card>
        ))}
      </div>
    </section>
  );
}

const getStyles = (theme: GrafanaTheme2) => ({
  page: css({ minHeight: '100vh', background: theme.colors.background.canvas }),
  main: css({ padding: theme.spacing(2, 3), maxWidth: 1200 }),
  title: css({ fontSize: theme.typography.h2.fontSize, marginBottom: theme.spacing(1) }),
  section: css({ fontSize: theme.typography.h4.fontSize, marginBottom: theme.spacing(1) }),
  cards: css({
    display: 'grid',
    gridTemplateColumns: 'repeat(auto-fill, minmax(260px, 1fr))',
    gap: theme.spacing(1),
  }),
});
