import type { Locale, Messenger } from '@madoguchi/core';
import { atom } from 'nanostores';
import { loadPanelStrings, type Strings } from '../i18n';
import { addPanelStyles } from '../styles';
import { loadExtras } from './extras-loader';
import { useStore } from './use-store';

type Extras = typeof import('./extras');

let extras: Extras | undefined;
/** The panel opened before the message box had arrived: it takes the focus when it does. */
export const focus = { pending: false };
let loading: Promise<void> | undefined;
/** The views' code and the panel's styles are here: the panel is shown from then on. */
export const $arrived = atom(false);

/**
 * Fetches the views of extras.ts (once), with the whole strings of `locale` beside them;
 * components showing them re-render when both are here.
 */
export function preloadExtras(locale: Locale): Promise<void> {
  return (loading ||= Promise.all([loadExtras(), loadPanelStrings(locale)]).then(
    ([e]) => {
      addPanelStyles(e.PANEL_CSS);
      extras = e;
      $arrived.set(true);
    },
    (error) => {
      loading = undefined;
      console.error('[madoguchi] a part of the panel could not be loaded', error);
    },
  ));
}

const idle = (run: () => void) => (typeof requestIdleCallback === 'function' ? requestIdleCallback(run, { timeout: 3000 }) : setTimeout(run, 1000));

/** For a visitor likely to open the panel: its views are fetched when the browser is next idle, so the open only renders. */
export function warmPanel(locale: Locale) {
  idle(() => void preloadExtras(locale));
}

/** One of the views of extras.ts, shown once its code is here (nothing until then). */
export function Later({ view, m, t }: { view: Exclude<keyof Extras, 'PANEL_CSS'>; m: Messenger; t: Strings }) {
  // Subscribed to the code's arrival.
  if (!useStore($arrived) || !extras) {
    void preloadExtras(m.state.$locale.get());
    return null;
  }
  const View = extras[view];
  return <View m={m} t={t} />;
}
