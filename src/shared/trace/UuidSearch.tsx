import React, { useState } from 'react';
import { css } from '@emotion/css';
import type { GrafanaTheme2 } from '@grafana/data';
import { Button, Input, useStyles2 } from '@grafana/ui';

interface UuidSearchProps {
  initial: string;
  onSearch: (uuid: string) => void;
  compact?: boolean;
}

/** A UUID search box: Enter or the button looks the transaction up. */
export function UuidSearch({ initial, onSearch, compact = false }: UuidSearchProps) {
  const styles = useStyles2(getStyles);
  const [text, setText] = useState(initial);
  // A new UUID from outside (URL, variable) replaces what was typed.
  const [shown, setShown] = useState(initial);
  if (shown !== initial) {
    setShown(initial);
    setText(initial);
  }
  return (
    <form
      role="search"
      aria-label="Find a transaction"
      className={styles.form}
      onSubmit={(event) => {
        event.preventDefault();
        onSearch(text.trim());
      }}
    >
      <div className={styles.input}>
        <Input
          value={text}
          onChange={(event) => setText(event.currentTarget.value)}
          placeholder="Transaction UUID"
          aria-label="Transaction UUID"
          prefix={compact ? undefined : 'UUID'}
          maxLength={200}
        />
      </div>
      <Button type="submit" icon="search" variant="secondary" aria-label="Find transaction" className={styles.button}>
        {compact ? undefined : 'Find'}
      </Button>
    </form>
  );
}

const getStyles = (theme: GrafanaTheme2) => ({
  form: css({ display: 'flex', gap: theme.spacing(1), maxWidth: 640, width: '100%' }),
  input: css({ flex: '1 1 auto', minWidth: 0 }),
  button: css({ flexShrink: 0 }),
});
