// @vitest-environment happy-dom
import { createMessenger, type Messenger } from '@madoguchi/core';
import { cleanup, fireEvent, render, screen, waitFor } from '@testing-library/preact';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { en } from '../i18n-en';
import { ja } from '../i18n-ja';
import { FlowWaitView } from './Flow';
import { preloadMarkdown } from './Markdown';
import { Thread } from './Thread';

// The parser arrives on demand in the widget; these tests read formatted output at once.
beforeAll(() => preloadMarkdown());

const STRINGS = { en, ja };

const flow = {
  id: 'pick',
  version: 1,
  start: 'menu',
  variables: { mail: 'string' },
  nodes: {
    menu: {
      type: 'choice',
      text: { en: 'What do you need?', ja: 'ご用件は?' },
      options: [
        { id: 'mail', label: { en: 'Change e-mail', ja: 'メール変更' }, next: 'mail' },
        { id: 'rate', label: { en: 'Rate us', ja: '評価する' }, next: 'rate' },
      ],
    },
    mail: { type: 'input', input: 'email', text: 'New address?', retryText: 'That is not an e-mail address.', save: 'mail', next: 'bye', exhausted: 'bye' },
    rate: { type: 'survey', scale: 'csat', text: 'How did we do?', next: 'bye' },
    bye: { type: 'end', text: 'Done.' },
  },
};

let m: Messenger | undefined;
afterEach(async () => {
  cleanup();
  await m?.shutdown();
});

async function booted(locale: 'en' | 'ja' = 'en') {
  const messenger = createMessenger();
  m = messenger;
  const ready = new Promise<void>((ok) => messenger.on('ready', ok));
  messenger.boot({ appId: 'flow-ui', locale, flows: [flow], storage: 'none', transport: { type: 'loopback' } });
  await ready;
  render(<FlowWaitView m={messenger} t={STRINGS[locale]} />);
  return messenger;
}

describe('FlowWaitView', () => {
  it('shows the choices as buttons grouped under the question, and a click answers the flow', async () => {
    const messenger = await booted();
    messenger.startFlow('pick');
    const group = await screen.findByRole('group', { name: 'What do you need?' });
    expect([...group.querySelectorAll('button')].map((b) => b.textContent)).toEqual(['Change e-mail', 'Rate us']);
    fireEvent.click(screen.getByRole('button', { name: 'Change e-mail' }));
    await waitFor(() => expect(messenger.flows.$wait.get()?.kind).toBe('input'));
    expect(screen.queryByRole('group')).toBeNull();
  });

  it('shows the retry error of an input wait under the id the composer refers to', async () => {
    const messenger = await booted();
    messenger.startFlow('pick');
    fireEvent.click(await screen.findByRole('button', { name: 'Change e-mail' }));
    await waitFor(() => expect(messenger.flows.$wait.get()?.kind).toBe('input'));
    messenger.send('nope');
    const alert = await screen.findByRole('alert');
    expect(alert.id).toBe('mg-flow-error');
    expect(alert.textContent).toBe('That is not an e-mail address.');
    messenger.send('aiko@example.com');
    await waitFor(() => expect(screen.queryByRole('alert')).toBeNull());
    expect(messenger.flows.$wait.get()).toBeNull();
  });

  it('offers a survey as a scale of named buttons, in Japanese too', async () => {
    const messenger = await booted('ja');
    const scores: number[] = [];
    messenger.on('event', (e) => e.type == 'survey.answered' && scores.push(e.score));
    messenger.startFlow('pick');
    fireEvent.click(await screen.findByRole('button', { name: '評価する' }));
    const scale = await screen.findByRole('group', { name: 'How did we do?' });
    expect(scale.querySelectorAll('button')).toHaveLength(5);
    fireEvent.click(screen.getByRole('button', { name: '5段階中4' }));
    await waitFor(() => expect(scores).toEqual([4]));
    expect(screen.queryByRole('group')).toBeNull();
  });

  it('offers several options to toggle, and Done sends them together', async () => {
    const messenger = createMessenger();
    m = messenger;
    const ready = new Promise<void>((ok) => messenger.on('ready', ok));
    const many = {
      id: 'many',
      version: 1,
      start: 'a',
      variables: { picked: 'list' },
      nodes: {
        a: { type: 'choice', text: 'Which apply?', multiple: true, options: [{ id: 'x', label: 'Wi-Fi' }, { id: 'y', label: 'Speed' }], save: 'picked', next: 'b' },
        b: { type: 'end', text: 'Got {{vars.picked}}.' },
      },
    };
    messenger.boot({ appId: 'flow-ui', locale: 'en', flows: [many], storage: 'none', transport: { type: 'loopback' } });
    await ready;
    render(<FlowWaitView m={messenger} t={en} />);
    messenger.startFlow('many');
    const group = await screen.findByRole('group', { name: 'Which apply?' });
    const done = screen.getByRole('button', { name: 'Done' }) as HTMLButtonElement;
    expect(done.disabled).toBe(true);
    fireEvent.click(screen.getByRole('button', { name: 'Wi-Fi' }));
    fireEvent.click(screen.getByRole('button', { name: 'Speed' }));
    fireEvent.click(screen.getByRole('button', { name: 'Wi-Fi' }));
    expect(screen.getByRole('button', { name: 'Wi-Fi' }).getAttribute('aria-pressed')).toBe('false');
    expect(screen.getByRole('button', { name: 'Speed' }).getAttribute('aria-pressed')).toBe('true');
    expect(group.contains(done)).toBe(true);
    fireEvent.click(done);
    await waitFor(() => expect(messenger.state.$messages.get().at(-1)?.text).toBe('Got y.'));
  });

  it('offers NPS from 0 to 10, and shows that a request is under way', async () => {
    const messenger = createMessenger();
    m = messenger;
    const ready = new Promise<void>((ok) => messenger.on('ready', ok));
    const nps = {
      id: 'nps',
      version: 1,
      start: 'look',
      nodes: {
        look: { type: 'request', handler: 'ping', ok: 'rate', error: 'rate', timeout: 'rate' },
        rate: { type: 'survey', scale: 'nps', text: 'Recommend us?', next: 'bye' },
        bye: { type: 'end', text: 'Thanks.' },
      },
    };
    let answer: ((data: unknown) => void) | undefined;
    messenger.on('flow:request', (r: { respond: (d: unknown) => void }) => (answer = r.respond));
    const events: Array<{ type: string }> = [];
    messenger.on('event', (e: { type: string }) => events.push(e));
    messenger.boot({ appId: 'flow-ui', locale: 'en', flows: [nps], storage: 'none', transport: { type: 'loopback' } });
    await ready;
    const thread = render(<Thread m={messenger} t={en} />);
    messenger.open();
    render(<FlowWaitView m={messenger} t={en} />);
    messenger.startFlow('nps');
    await screen.findByRole('status');
    expect(screen.getByRole('status').textContent).toBe('One moment…');
    answer!({});
    const group = await screen.findByRole('group', { name: 'Recommend us?' });
    expect([...group.querySelectorAll('button')].map((b) => b.textContent)).toEqual(['0', '1', '2', '3', '4', '5', '6', '7', '8', '9', '10']);
    expect(screen.getByRole('button', { name: '0 of 10' })).toBeTruthy();
    fireEvent.click(screen.getByRole('button', { name: '0 of 10' }));
    await waitFor(() => expect(messenger.flows.$wait.get()).toBeNull());
    // Tracked as NPS, and told in the thread as a score out of 10 (not a CSAT word).
    expect(events.filter((e) => e.type === 'survey.answered')).toMatchObject([{ kind: 'nps', score: 0, scaled: 0 }]);
    await waitFor(() => expect(thread.container.textContent).toContain('Your feedback: 0 of 10'));
  });

  it("shows a flow message's image, link buttons and cards as controls in the thread; an article card opens the article", async () => {
    const messenger = createMessenger();
    m = messenger;
    const ready = new Promise<void>((ok) => messenger.on('ready', ok));
    const rich = {
      id: 'rich',
      version: 1,
      start: 'a',
      nodes: {
        a: {
          type: 'message',
          text: 'Set it up like **this**:',
          image: { src: 'https://cdn.example.com/router.png', alt: 'The router' },
          links: [
            { label: 'Open the guide', url: 'https://help.example.com/router' },
            { label: 'Your orders', url: '/orders' },
          ],
          cards: [
            { title: 'Returns', article: 'returns', text: 'Within 30 days.' },
            { title: 'Warranty', url: 'https://help.example.com/warranty' },
          ],
        },
      },
    };
    const faq = [{ id: 'returns', title: 'Returns', body: 'Send it back within 30 days.' }];
    messenger.boot({ appId: 'flow-ui', locale: 'en', faq, flows: [rich], storage: 'none', transport: { type: 'loopback' } });
    await ready;
    messenger.open();
    const { container } = render(<Thread m={messenger} t={en} />);
    messenger.startFlow('rich');
    const img = (await screen.findByRole('img', { name: 'The router' })) as HTMLImageElement;
    expect(img.getAttribute('src')).toBe('https://cdn.example.com/router.png');
    expect(img.getAttribute('referrerpolicy')).toBe('no-referrer');
    // The text is only the text: the controls are not Markdown links inside it.
    expect(container.querySelector('.md')!.textContent).toBe('Set it up like this:');
    expect(container.querySelectorAll('.md a')).toHaveLength(0);

    const guide = screen.getByRole('link', { name: 'Open the guide (opens in a new tab)' });
    expect([guide.getAttribute('href'), guide.getAttribute('target'), guide.getAttribute('rel')]).toEqual(['https://help.example.com/router', '_blank', 'noopener noreferrer']);
    expect(guide.className).toContain('lb');
    // A path on this site opens here.
    const orders = screen.getByRole('link', { name: 'Your orders' });
    expect([orders.getAttribute('href'), orders.hasAttribute('target')]).toEqual(['/orders', false]);
    const warranty = screen.getByRole('link', { name: 'Warranty (opens in a new tab)' });
    expect(warranty.className).toBe('card');

    const cards = screen.getByRole('list', { name: 'Suggested articles' });
    const returns = screen.getByRole('button', { name: 'Returns Within 30 days.' });
    expect(cards.contains(returns) && returns.className).toBe('card');
    fireEvent.click(returns);
    await waitFor(() => expect(messenger.search.$article.get()?.id).toBe('returns'));
  });
});
