import type { parseMarkdown } from '@madoguchi/core';
import { atom } from 'nanostores';
import { loadMarkdown } from '../markdown-loader';

/**
 * The Markdown parser's arrival, apart from the component that renders with it: the launcher
 * preloads the parser at open, and the component comes with the panel's views.
 */
let parse: typeof parseMarkdown | undefined;
export const $parserArrived = atom(false);
export const parser = () => parse;

/**
 * Fetches the Markdown parser (the script-tag build keeps it in a file of its own, loaded when the
 * first formatted message is shown); resolves when it is there.
 */
export function preloadMarkdown(): Promise<void> {
  return parse
    ? Promise.resolve()
    : loadMarkdown().then((m) => {
        parse = m.parseMarkdown;
        $parserArrived.set(true);
      });
}
