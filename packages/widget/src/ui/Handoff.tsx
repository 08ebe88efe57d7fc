import type { ConversationStatus, Messenger } from '@madoguchi/core';
import { useState } from 'preact/hooks';
import type { Strings } from '../i18n';
import { fromStore } from './bind';

type Status = ConversationStatus & { handoff?: { email?: string } };

/** Around the handoff: e-mail follow-up when nobody is online, and its confirmation. */
export function HandoffExtras({ m, t }: { m: Messenger; t: Strings }) {
  const s = fromStore(m.state.$status).value as Status;
  const [email, setEmail] = useState(() => m.state.config()?.user?.email || '');
  const [note, setNote] = useState<'' | 'sending' | 'invalid' | 'failed'>('');
  if (s.phase !== 'away') return null;
  if (s.handoff?.email) {
    return (
      <p class="status" role="status">
        {t.emailSent(s.handoff.email)}
      </p>
    );
  }
  const submit = async (e: Event) => {
    e.preventDefault();
    if (note === 'sending') return;
    setNote('sending');
    const result = await m.handoff.followUpByEmail(email);
    setNote(result === 'sent' ? '' : result);
  };
  const error = note === 'invalid' ? t.emailInvalid : note === 'failed' ? t.emailFailed : '';
  return (
    <form class="follow" onSubmit={submit} noValidate>
      <p id="mg-follow">{t.emailOffer}</p>
      <div>
        <input
          type="email"
          autocomplete="email"
          aria-label={t.email}
          aria-describedby="mg-follow"
          aria-invalid={note === 'invalid'}
          value={email}
          onInput={(e) => setEmail(e.currentTarget.value)}
        />
        <button type="submit" class="chip" disabled={note === 'sending'}>
          {t.emailMe}
        </button>
      </div>
      {error && (
        <p class="error" role="alert">
          {error}
        </p>
      )}
    </form>
  );
}
