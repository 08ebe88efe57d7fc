import type { Messenger } from '@madoguchi/core';
import type { ComponentChildren } from 'preact';
import { useErrorBoundary } from 'preact/hooks';
import { stringsFor } from '../i18n';

/**
 * Catches an exception thrown while the widget renders: it is reported through `on('error')` and
 * the console, never reaches the host page, and the user gets a way to try again.
 */
export function Contained({ m, children }: { m: Messenger; children: ComponentChildren }) {
  const [error, retry] = useErrorBoundary((cause) => m.state.report({ message: 'the widget failed to render', cause }));
  if (!error) return <>{children}</>;
  const t = stringsFor(m.state.$locale.get(), m.state.config());
  return (
    <div class="root auto br">
      <p class="preview" role="alert">
        {t.failure}
        <button type="button" class="chip" onClick={retry}>
          {t.retry}
        </button>
      </p>
    </div>
  );
}
