import type { Messenger } from '@madoguchi/core';
import { render } from 'preact';
import { CSS } from './styles';
import { App } from './ui/App';
import { Contained } from './ui/Contained';

/**
 * Puts the widget on the page: one host element with an open shadow root, so host styles don't
 * reach in and ours don't reach out. Returns a function that removes it again.
 */
export function mountWidget(m: Messenger, doc: Document = document): () => void {
  const host = doc.createElement('madoguchi-widget');
  const root = host.attachShadow({ mode: 'open' });
  const config = m.state.config();
  if ('adoptedStyleSheets' in root && typeof CSSStyleSheet !== 'undefined' && 'replaceSync' in CSSStyleSheet.prototype) {
    // Constructed stylesheets need no nonce and are not blocked by a strict style-src.
    const sheet = new CSSStyleSheet();
    sheet.replaceSync(CSS);
    root.adoptedStyleSheets = [sheet];
  } else {
    const style = doc.createElement('style');
    if (config?.nonce) style.nonce = config.nonce;
    style.textContent = CSS;
    root.appendChild(style);
  }
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
  return () => {
    render(null, container);
    host.remove();
  };
}
