import type { Messenger } from '@madoguchi/core';
import type { Strings } from '../i18n';

/** The article shown inside the panel, with a way back and "Did this answer your question?". */
export function ArticleView(_props: { m: Messenger; t: Strings }) {
  return null;
}
