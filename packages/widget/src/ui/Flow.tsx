import type { Messenger } from '@madoguchi/core';
import type { Strings } from '../i18n';

/** What a running flow waits for: choice buttons, a survey, a pending search or delay. */
export function FlowWaitView(_props: { m: Messenger; t: Strings }) {
  return null;
}
