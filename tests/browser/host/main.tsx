/**
 * Entry of the host page: plays the part of Grafana's frontend for one plugin view.
 *
 * URL: /?plugin=<plugin id>&view=<panel|query-editor|config-editor|app|app-config>&theme=<light|dark>
 * plus per-view parameters (see ../README.md). window.grafanaBootData is set by the page itself,
 * before this bundle runs, because @grafana/runtime reads it when it is first imported.
 */
import React, { useEffect } from 'react';
import * as ReactDOM from 'react-dom';
import { createRoot } from 'react-dom/client';
import * as ReactJsxRuntime from 'react/jsx-runtime';
import * as EmotionCss from '@emotion/css';
import * as EmotionReact from '@emotion/react';
import * as GrafanaData from '@grafana/data';
import { createTheme, ThemeContext } from '@grafana/data';
import * as GrafanaRuntime from '@grafana/runtime';
import * as GrafanaUi from '@grafana/ui';
import { GlobalStyles, PortalContainer } from '@grafana/ui';
import i18next from 'i18next';
import lodash from 'lodash';
import * as ReactRouter from 'react-router';
import * as Rxjs from 'rxjs';
import * as RxjsOperators from 'rxjs/operators';

import { installDefine, registerExternal } from './amd';
import { installServices } from './services';
import { loadView } from './views';

// The dependencies Grafana shares with plugins (webpack externals in .config/bundler/externals.ts)
// that this plugin's bundles may import. A plugin importing anything else fails to load, loudly.
const sharedModules: Record<string, unknown> = {
  react: React,
  'react-dom': ReactDOM,
  'react/jsx-runtime': ReactJsxRuntime,
  '@emotion/css': EmotionCss,
  '@emotion/react': EmotionReact,
  '@grafana/data': GrafanaData,
  '@grafana/runtime': GrafanaRuntime,
  '@grafana/ui': GrafanaUi,
  i18next,
  lodash,
  'react-router': ReactRouter,
  rxjs: Rxjs,
  'rxjs/operators': RxjsOperators,
};

/** The page's state for tests: `loading`, then `ready` once the view rendered, or `error`. */
function setHostState(state: 'loading' | 'ready' | 'error') {
  document.body.dataset.hostState = state;
}

function Ready({ children }: React.PropsWithChildren) {
  useEffect(() => setHostState('ready'), []);
  return <>{children}</>;
}

function HostError({ error }: { error: unknown }) {
  useEffect(() => setHostState('error'), []);
  return (
    <pre data-testid="host-error" style={{ color: 'red', whiteSpace: 'pre-wrap', padding: 16 }}>
      {error instanceof Error ? (error.stack ?? error.message) : String(error)}
    </pre>
  );
}

async function main() {
  setHostState('loading');
  for (const [name, value] of Object.entries(sharedModules)) {
    registerExternal(name, value);
  }
  installDefine();
  installServices();

  const params = new URLSearchParams(window.location.search);
  const theme = createTheme({ colors: { mode: params.get('theme') === 'light' ? 'light' : 'dark' } });
  const root = createRoot(document.getElementById('root')!);
  const render = (content: React.ReactNode) =>
    root.render(
      <ThemeContext.Provider value={theme}>
        <GlobalStyles />
        {content}
        {/* Grafana's AppWrapper renders it: portals (tooltips, menus) go there, and a pinned
            tooltip treats a click inside it as its own (TooltipPlugin2's outside-click check). */}
        <PortalContainer />
      </ThemeContext.Provider>
    );

  try {
    const view = await loadView(params.get('view') ?? '', { params, pluginId: params.get('plugin') ?? '', theme });
    render(<Ready>{view}</Ready>);
  } catch (error) {
    // Logged as an error so the spec's console check fails with the reason.
    console.error('host: could not show the view:', error);
    render(<HostError error={error} />);
  }
}

main();
