import type { Messenger } from '@madoguchi/core';
import { atom } from 'nanostores';
import type { Strings } from '../i18n';
import { addPanelStyles } from '../styles';
import { loadExtras } from './extras-loader';
import { useStore } from './use-store';

type Extras = typeof import('./extras');

let extras: Extras | undefined;
/** The panel opened before the message box had arrived: it takes the focus when it does. */
export const focus = { pending: false };
let loading: Promise<void> | undefined;
const $arrived = atom(false);

/** Fetches the views of extras.ts (once); components showing them re-render when they arrive. */
export function preloadExtras(): Promise<void> {
  return (loading ||= loadExtras().then(
    (e) => {
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

/** One of the views of extras.ts, shown once its code is here (nothing until then). */
export function Later({ view, m, t }: { view: Exclude<keyof Extras, 'PANEL_CSS'>; m: Messenger; t: Strings }) {
  // Subscribed to the code's arrival.
  if (!useStore($arrived) || !extras) {
    void preloadExtras();
    return null;
  }
  const View = extras[view];
  return <View m={m} t={t} />;
}
