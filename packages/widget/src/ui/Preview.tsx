import type { Message, Messenger } from '@madoguchi/core';
import { useEffect, useState } from 'preact/hooks';
import type { Strings } from '../i18n';
import { useStore } from './use-store';

/** Markdown marks read as noise in a one-line preview. */
const plain = (text: string) => text.replace(/\[([^\]]*)\]\([^)]*\)/g, '$1').replace(/[*_`#>]+/g, '').trim();

/**
 * Beside the launcher while the panel is closed: a proactive message's preview, or a person's
 * reply that arrived meanwhile (until the panel opens or it is dismissed). It sits in a polite live
 * region and is put there once, so screen readers hear it once without the focus moving.
 */
export function Preview({ m, t }: { m: Messenger; t: Strings }) {
  const proactive = useStore(m.insights.$preview);
  const open = useStore(m.state.$open);
  const [reply, setReply] = useState<Message | null>(null);
  useEffect(
    () => m.on('message', (x) => x.author === 'agent' && !m.state.$open.get() && setReply(x)),
    [],
  );
  useEffect(() => void (open && setReply(null)), [open]);
  const text = reply ? reply.text : proactive?.text;
  return (
    <div role="status">
      {!open && text && (
        <div class="preview">
          <button type="button" onClick={() => (reply ? m.open() : m.insights.openPreview())}>
            {reply && <b>{t.replyFrom(reply.authorName || t.title)}</b>}
            {plain(text).slice(0, 140)}
          </button>
          <button type="button" aria-label={t.dismiss} onClick={() => (reply ? setReply(null) : m.insights.dismissPreview())}>
            ×
          </button>
        </div>
      )}
    </div>
  );
}
