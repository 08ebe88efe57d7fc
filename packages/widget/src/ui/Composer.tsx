import type { Messenger } from '@madoguchi/core';
import { useState } from 'preact/hooks';
import type { Strings } from '../i18n';
import { fromStore } from './bind';

/** The message box, the send button and the always-present way to a person. */
export function Composer({ m, t }: { m: Messenger; t: Strings }) {
  const [text, setText] = useState('');
  const phase = fromStore(m.state.$status).value.phase;
  const submit = () => {
    if (!text.trim()) return;
    m.send(text);
    setText('');
  };
  const onKeyDown = (e: KeyboardEvent) => {
    // Enter sends; Shift+Enter is a new line; Enter that confirms an IME conversion does nothing else.
    if (e.key === 'Enter' && !e.shiftKey && !e.isComposing && e.keyCode !== 229) {
      e.preventDefault();
      submit();
    }
  };
  return (
    <>
      {(phase === 'bot' || phase === 'closed') && (
        <div class="chips">
          <button type="button" class="chip" onClick={() => m.talkToPerson()}>
            {t.human}
          </button>
        </div>
      )}
      <form
        class="composer"
        onSubmit={(e) => {
          e.preventDefault();
          submit();
        }}
      >
        <textarea
          rows={1}
          aria-label={t.message}
          placeholder={t.placeholder}
          maxLength={4000}
          value={text}
          onInput={(e) => setText(e.currentTarget.value)}
          onKeyDown={onKeyDown}
        />
        <button type="submit" class="send" disabled={!text.trim()}>
          {t.send}
        </button>
      </form>
    </>
  );
}
