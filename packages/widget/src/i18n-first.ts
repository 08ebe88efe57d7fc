/**
 * What shows before the panel's first open (the launcher, its badge, a reply's preview, the
 * failure notice), in English and Japanese: the launcher never waits for a file to say its name.
 * The rest of each set arrives with the panel's views.
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

export const jaFirst: typeof FIRST = {
  open: 'サポートを開く',
  close: 'サポートを閉じる',
  title: 'サポート',
  minimize: '最小化',
  failure: 'ただいまサポートをご利用いただけません。',
  retry: '再試行',
  unread: (n) => `未読${n}件`,
  dismiss: '閉じる',
  replyFrom: (name: string) => `${name}から新しい返信`,
};
