import React from 'react';
import { Field, FieldSet, Input, RadioButtonGroup, SecretInput, SecretTextArea, Stack, Switch } from '@grafana/ui';

import {
  type ApifwSecureJsonData,
  type StoreName,
  type VictoriaLogsSettings,
  validateUrls,
  validateVictoriaLogs,
} from 'shared/settings';
import { StringListEditor } from './StringListEditor';
import type { SectionProps } from './types';

type SecureKey = keyof ApifwSecureJsonData;

/** The secure settings as the editor sees them: Grafana sends back only whether each is set. */
export interface SecureSettingsProps {
  /** secureJsonFields: true for a value stored on the server. */
  configured: Partial<Record<SecureKey, boolean>>;
  /** secureJsonData: what was typed since the settings were loaded. */
  values: ApifwSecureJsonData;
  onChange: (key: SecureKey, value: string) => void;
  /** Forgets a stored value (saved as empty). */
  onReset: (key: SecureKey) => void;
}

const STORE_OPTIONS: Array<{ label: string; value: StoreName; description: string }> = [
  { label: 'Embedded index', value: 'embedded', description: 'Index the log directories on this Grafana server.' },
  {
    label: 'VictoriaLogs cluster',
    value: 'victorialogs',
    description: 'Query the records the shippers (apifw-ship) send to a VictoriaLogs cluster.',
  },
];

const EMPTY_VICTORIA_LOGS: VictoriaLogsSettings = { url: '' };

/** Where transactions are read from: the embedded index or a VictoriaLogs cluster, and how to reach it. */
export function StoreSection({ jsonData, onChange, secure }: SectionProps & { secure: SecureSettingsProps }) {
  const store: StoreName = jsonData.store ?? 'embedded';
  const vl = jsonData.victoriaLogs ?? EMPTY_VICTORIA_LOGS;
  // A cleared optional field is removed, so the stored settings stay minimal.
  const setVL = (patch: Partial<VictoriaLogsSettings>) => {
    const next: VictoriaLogsSettings = { ...vl, ...patch };
    for (const [key, value] of Object.entries(patch)) {
      if (value === undefined || value === '' || value === false) {
        delete next[key as keyof VictoriaLogsSettings];
      }
    }
    onChange({ victoriaLogs: { ...next, url: next.url ?? '' } });
  };
  const problems = store === 'victorialogs' ? validateVictoriaLogs(vl) : [];
  const urlProblem = problems.find((p) => p.includes('URL') || p.includes('url'));
  const idProblem = (label: string) => problems.find((p) => p.startsWith(label));

  return (
    <FieldSet label="Store">
      <Field
        label="Transaction store"
        description="Where the transaction queries are answered. With VictoriaLogs the log directories below are not read on this server: the shippers on the firewall hosts read them and send the records to the cluster (docs/scale-out.md)."
      >
        <RadioButtonGroup<StoreName>
          options={STORE_OPTIONS}
          value={store}
          onChange={(value) => onChange({ store: value === 'embedded' ? undefined : value })}
        />
      </Field>
      {store === 'victorialogs' && (
        <>
          <Field
            label="VictoriaLogs URL"
            description="Base URL of the select node (cluster) or of the single node."
            required
            invalid={urlProblem !== undefined}
            error={urlProblem}
          >
            <Input
              id="apifw-vl-url"
              placeholder="http://vlselect:9471"
              value={vl.url}
              onChange={(e) => setVL({ url: e.currentTarget.value })}
              onBlur={(e) => setVL({ url: e.currentTarget.value.trim() })}
            />
          </Field>
          <Stack direction="row" gap={2}>
            <Field
              label="Account ID"
              description="Tenant, if the cluster has several."
              invalid={idProblem('Account ID') !== undefined}
              error={idProblem('Account ID')}
            >
              <Input
                id="apifw-vl-account"
                placeholder="0"
                value={vl.accountId ?? ''}
                onChange={(e) => setVL({ accountId: e.currentTarget.value.trim() })}
              />
            </Field>
            <Field
              label="Project ID"
              description="Tenant project."
              invalid={idProblem('Project ID') !== undefined}
              error={idProblem('Project ID')}
            >
              <Input
                id="apifw-vl-project"
                placeholder="0"
                value={vl.projectId ?? ''}
                onChange={(e) => setVL({ projectId: e.currentTarget.value.trim() })}
              />
            </Field>
          </Stack>
          <Field label="Username" description="Basic authentication, for a cluster behind vmauth or a proxy.">
            <Input
              id="apifw-vl-username"
              value={vl.username ?? ''}
              onChange={(e) => setVL({ username: e.currentTarget.value })}
            />
          </Field>
          <Field label="Password" description="Basic authentication password (stored encrypted).">
            <SecretInput
              id="apifw-vl-password"
              isConfigured={secure.configured.victoriaLogsPassword ?? false}
              value={secure.values.victoriaLogsPassword ?? ''}
              onChange={(e) => secure.onChange('victoriaLogsPassword', e.currentTarget.value)}
              onReset={() => secure.onReset('victoriaLogsPassword')}
            />
          </Field>
          <Field label="Bearer token" description="Sent as Authorization: Bearer, instead of a username and password.">
            <SecretInput
              id="apifw-vl-bearer"
              isConfigured={secure.configured.victoriaLogsBearerToken ?? false}
              value={secure.values.victoriaLogsBearerToken ?? ''}
              onChange={(e) => secure.onChange('victoriaLogsBearerToken', e.currentTarget.value)}
              onReset={() => secure.onReset('victoriaLogsBearerToken')}
            />
          </Field>
          <Field
            label="CA certificate"
            description="PEM certificate(s) to trust for https URLs, when not in the system pool."
          >
            <SecretTextArea
              id="apifw-vl-ca"
              rows={5}
              placeholder="-----BEGIN CERTIFICATE-----"
              isConfigured={secure.configured.victoriaLogsCACert ?? false}
              value={secure.values.victoriaLogsCACert ?? ''}
              onChange={(e) => secure.onChange('victoriaLogsCACert', e.currentTarget.value)}
              onReset={() => secure.onReset('victoriaLogsCACert')}
            />
          </Field>
          <Field
            label="TLS server name"
            description="Name to check the server certificate against, when it differs from the URL's host."
          >
            <Input
              id="apifw-vl-server-name"
              value={vl.tlsServerName ?? ''}
              onChange={(e) => setVL({ tlsServerName: e.currentTarget.value.trim() })}
            />
          </Field>
          <Field
            label="Skip TLS verification"
            description="Accept any server certificate. Only for testing: anyone on the path can read the queries."
          >
            <Switch
              id="apifw-vl-skip-verify"
              value={vl.tlsSkipVerify ?? false}
              onChange={(e) => setVL({ tlsSkipVerify: e.currentTarget.checked })}
            />
          </Field>
          <StringListEditor
            idPrefix="apifw-vl-storage-node"
            label="Storage nodes"
            description="Optional. Base URLs of the storage nodes: the health check then reports each one."
            placeholder="http://vlstorage-1:9491"
            values={vl.storageNodes ?? []}
            addText="Add storage node"
            validate={(urls) => validateUrls(urls, 'Storage node')}
            onChange={(storageNodes) => setVL({ storageNodes: storageNodes.length > 0 ? storageNodes : undefined })}
          />
        </>
      )}
    </FieldSet>
  );
}
