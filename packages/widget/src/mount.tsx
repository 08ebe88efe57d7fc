import type { Messenger } from '@madoguchi/core';
import { render } from 'preact';
import { styleRoot } from './styles';
import { App } from './ui/App';
import { Contained } from './ui/Contained';

/**
 * Puts the widget on the page: one host element with an open shadow root, so host styles don't
 * reach in and ours don't reach out. Returns a function that removes it again. Without a document
 * (server rendering) it does nothing.
 */
export function mountWidget(m: Messenger, doc: Document | undefined = typeof document === 'undefined' ? undefined : document): () => void {
  if (!doc?.body) return () => {};
  const host = doc.createElement('madoguchi-widget');
  const root = host.attachShadow({ mode: 'open' });
  const config = m.state.config();
  const unstyle = styleRoot(root, config?.nonce);
  if (config?.zIndex !== undefined) host.style.setProperty('--z', String(config.zIndex));
  const container = doc.createElement('div');
  root.appendChild(container);
  doc.body.appendChild(host);
  render(
    <Contained m={m}>
      <App m={m} />
    </Contained>,
    container,
  );
  const stopKeeping = keepOnPage(host, doc);
  return () => {
    stopKeeping();
    unstyle();
    render(null, container);
    host.remove();
  };
}

/**
 * Frameworks that swap pages without a reload (Turbo, Astro's view transitions, htmx boosts)
 * replace `<body>` or its children; the widget, its open panel and conversation, moves into the
 * new body instead of vanishing. Only `<html>`'s and the current body's own children are watched.
 */
function keepOnPage(host: HTMLElement, doc: Document): () => void {
  let body = doc.body;
  const onBody = new MutationObserver(() => host.isConnected || doc.body.appendChild(host));
  const onHtml = new MutationObserver(() => {
    if (doc.body && doc.body !== body) {
      body = doc.body;
      onBody.disconnect();
      onBody.observe(body, { childList: true });
    }
    if (!host.isConnected && doc.body) doc.body.appendChild(host);
  });
  onHtml.observe(doc.documentElement, { childList: true });
  onBody.observe(body, { childList: true });
  return () => {
    onHtml.disconnect();
    onBody.disconnect();
  };
}
