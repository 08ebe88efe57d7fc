/**
 * What shows before the panel's first open (the launcher, its badge, a reply's preview, the
 * failure notice), in English. The rest of the English strings arrive with the panel's views.
 */
export const FIRST = {
  open: 'Open support',
  close: 'Close support',
  title: 'Support',
  minimize: 'Minimize',
  failure: 'Support is not available right now.',
  retry: 'Try again',
  unread: (n: number) => `${n} unread`,
  dismiss: 'Dismiss',
  replyFrom: (name: string) => `New reply from ${name}`,
};
