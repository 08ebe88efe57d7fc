import type { Locale, MadoguchiError, MessengerConfig } from '@madoguchi/core';
import { atom } from 'nanostores';
import { loadCustomStrings, loadJapanese } from './i18n-loader';

export const en = {
  open: 'Open support',
  close: 'Close support',
  title: 'Support',
  minimize: 'Minimize',
  message: 'Message',
  placeholder: 'Ask a question…',
  send: 'Send',
  human: 'Talk to a person',
  greeting: 'Hi! Ask us anything, or pick an article below.',
  thread: 'Conversation',
  failure: 'Support is not available right now.',
  retry: 'Try again',
  earlier: 'Show earlier messages',
  you: 'You',
  back: 'Back',
  suggestions: 'Suggested articles',
  newTab: 'opens in a new tab',
  helpful: 'Did this answer your question?',
  yes: 'Yes',
  no: 'No',
  thanks: 'Thanks for letting us know.',
  nextStep: 'Sorry about that. A person can help:',
  /** `n` is the place in line, 1 = next. */
  queue: (n: number) => (n <= 1 ? "You're next in line." : n === 2 ? '1 person ahead of you.' : `${n - 1} people ahead of you.`),
  wait: (min: number) => `Expected wait: about ${min} min.`,
  waiting: 'Finding someone to help you…',
  browse: 'You keep your place in line while you browse.',
  joined: (name: string) => `${name} joined the conversation.`,
  typing: (name: string) => `${name} is typing…`,
  closed: 'This conversation has ended.',
  away: 'Nobody is online right now.',
  awayUntil: (when: string) => `Someone will answer from ${when}.`,
  queued: 'Will send when back online',
  failed: 'Not sent',
  unread: (n: number) => `${n} unread`,
  flowChoose: 'Choose an answer',
  flowDone: 'Done',
  flowRate: 'Your rating',
  flowScore: (n: number, of: number) => `${n} of ${of}`,
  flowWorking: 'One moment…',
  found: (n: number) => `${n} suggested ${n === 1 ? 'article' : 'articles'}, use the arrow keys.`,
  helpCentre: 'Open in the help centre',
  notHelpful: 'Sorry about that. Ask again in your own words, or choose “Talk to a person” below.',
  notHelpfulLater: 'Sorry about that. Go back and tell us more in the conversation.',
  emailOffer: 'Leave your e-mail address and we will answer there.',
  email: 'Email address',
  emailMe: 'Email me',
  emailInvalid: 'Please enter an e-mail address like name@example.com.',
  emailFailed: 'That did not go through. Please try again.',
  emailSent: (to: string) => `We will answer at ${to}.`,
  survey: 'Your feedback',
  csatAsk: 'How satisfied are you with the help you got?',
  csatScale: ['Very dissatisfied', 'Dissatisfied', 'Neutral', 'Satisfied', 'Very satisfied'],
  cesAsk: 'How easy was it to get help?',
  cesScale: ['Very difficult', 'Difficult', 'Somewhat difficult', 'Neither easy nor difficult', 'Somewhat easy', 'Easy', 'Very easy'],
  comment: 'Comment',
  commentHint: 'Anything else? (optional)',
  submitFeedback: 'Submit feedback',
  skip: 'Skip',
  dismiss: 'Dismiss',
  greetingPlain: 'Hi! Ask us anything.',
  forPage: 'Suggested for this page',
  ackThanks: 'Thanks, we have your message.',
  ackReply: (time: string) => `A person usually replies ${time}.`,
  ackSoon: 'A person will reply as soon as they can.',
  ackEmail: (to: string) => `A person will answer by e-mail at ${to}.`,
  ackOffer: 'To reach someone now, choose “Talk to a person”.',
  ackOfferEmail: 'Leave your e-mail address below and we will answer there.',
  noteAsked: 'You asked to talk to a person.',
  noteEmail: (to: string) => `We will reply by e-mail at ${to}.`,
  noteSurvey: (label: string) => `Your feedback: ${label}`,
  sending: 'Sending…',
  sent: 'Sent',
  read: 'Read',
  resend: 'Send again',
  unreachable: "Can't reach support right now. Your messages will be sent when the connection returns.",
  today: 'Today',
  yesterday: 'Yesterday',
  replyFrom: (name: string) => `New reply from ${name}`,
  emailTo: (to: string) => `Email me at ${to}`,
  earlierChats: 'Earlier conversations',
  newChat: 'New conversation',
  ended: 'Ended',
  ongoing: 'Open',
};

export type Strings = typeof en;

/** Strings by locale: English is built in, Japanese arrives as a small file of its own when used. */
export const STRINGS: Partial<Record<Locale, Strings>> & { en: Strings } = { en };
/** Counts arrivals of strings; the launcher re-renders on each (`useStore($stringsArrived)`). */
export const $stringsArrived = atom(0);
/** What layers `config.strings` over the built-in sets; a file of its own, fetched only when a config has strings. */
let custom: typeof import('./i18n-custom') | undefined;

/**
 * The strings for the configured locale, English until Japanese has arrived. With `config.strings`, those are layered over the built-in sets along the
 * locale's fallback chain (`fr-CA`, `fr`, English) once they have arrived. A component that
 * shows them subscribes to `$stringsArrived` to re-render then.
 */
export function stringsFor(locale: Locale, config?: MessengerConfig): Strings {
  const builtIn = STRINGS[locale] || en;
  return (config?.strings && custom?.withOverrides(STRINGS, locale, config)) || builtIn;
}

/**
 * Fetches what the strings of `locale` and `config` need if it is not here yet. Problems in
 * `config.strings` are reported once: errors through `report`, unknown keys as console warnings.
 */
export function loadStrings(locale: Locale, config?: MessengerConfig, report?: (error: MadoguchiError) => void): Promise<void> {
  const arrived = () => $stringsArrived.set($stringsArrived.get() + 1);
  const overrides = config?.strings;
  return Promise.all([
    STRINGS[locale] || loadJapanese().then(({ ja }) => ((STRINGS.ja = ja), arrived())),
    overrides &&
      (custom ? Promise.resolve(custom) : loadCustomStrings()).then((loaded) => {
        custom = loaded;
        loaded.checkOverrides(overrides, report);
        arrived();
      }),
  ]).then(() => {});
}
