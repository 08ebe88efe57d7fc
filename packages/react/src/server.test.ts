import { createElement as h } from 'react';
import { renderToString } from 'react-dom/server';
import { describe, expect, it } from 'vitest';
import { MessengerProvider, useMessenger } from './index';

function HelpButton() {
  const { isOpen, unread } = useMessenger();
  return h('button', { 'aria-expanded': isOpen }, `Help (${unread})`);
}

describe('server rendering (Next.js, for example)', () => {
  it('renders the initial state without a page to put the widget on', () => {
    const html = renderToString(h(MessengerProvider, { config: { appId: 'ssr' } }, h(HelpButton)));
    expect(html).toBe('<button aria-expanded="false">Help (0)</button>');
  });
});
