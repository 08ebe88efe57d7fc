import type { FIRST } from './i18n-first';

/**
 * What shows before the panel's first open, in Japanese: a small file fetched when the locale is
 * Japanese. The rest arrives with the panel's views (`i18n-ja-panel.ts`).
 */
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
