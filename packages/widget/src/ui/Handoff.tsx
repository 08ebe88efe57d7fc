import type { ConversationStatus, Messenger } from '@madoguchi/core';
import { useState } from 'preact/hooks';
import type { Strings } from '../i18n';
import { useStore } from './use-store';

type Status = ConversationStatus & { handoff?: { email?: string } };

/** Around the handoff: e-mail follow-up when nobody is online, and its confirmation. */
export function HandoffExtras({ m, t }: { m: Messenger; t: Strings }) {
  const s = useStore(m.state.$status) as Status;
  const [email, setEmail] = useState(() => knownEmail(m));
  // An address already given (the user's profile, or typed in a flow) is not asked for again.
  const [known] = useState(() => knownEmail(m));
  const [other, setOther] = useState(false);
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
  if (known && !other) {
    return (
      <form class="follow" onSubmit={submit}>
        <p id="mg-follow">{t.emailOffer}</p>
        <div>
          <button type="submit" class="chip" disabled={note === 'sending'}>
            {t.emailTo(known)}
          </button>
          {/* Keyed: the re-render must not turn this very element into the submit button mid-click. */}
          <button key="other" type="button" class="link" onClick={() => setOther(true)}>
            {t.email}
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

const EMAIL = /[^\s@<>()",;:]+@[^\s@<>()",;:]+\.[^\s@<>()",;:]{2,}/;

/** The address the person already gave: their profile's, else the last one they typed (a flow asked for it). */
function knownEmail(m: Messenger): string {
  const typed = m.state.$messages
    .get()
    .filter((x) => x.author === 'user')
    .map((x) => x.text.match(EMAIL)?.[0])
    .filter(Boolean)
    .pop();
  return m.state.config()?.user?.email || typed || '';
}
