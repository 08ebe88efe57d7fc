import type { Messenger } from '@madoguchi/core';
import type { Strings } from '../i18n';

/** Around the handoff: e-mail follow-up when nobody is online. */
export function HandoffExtras(_props: { m: Messenger; t: Strings }) {
  return null;
}
