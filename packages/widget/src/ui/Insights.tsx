import type { Messenger } from '@madoguchi/core';
import type { Strings } from '../i18n';

/** The end-of-conversation survey (CSAT, CES). */
export function Survey(_props: { m: Messenger; t: Strings }) {
  return null;
}

/** A proactive message's preview beside the launcher. */
export function Preview(_props: { m: Messenger; t: Strings }) {
  return null;
}
