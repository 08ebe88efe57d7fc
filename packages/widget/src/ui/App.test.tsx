// @vitest-environment happy-dom
import { createMessenger, type Messenger } from '@madoguchi/core';
import { cleanup, fireEvent, render, screen, waitFor } from '@testing-library/preact';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { App } from './App';

let m: Messenger;
afterEach(async () => {
  cleanup();
  await m?.shutdown();
});

function boot(locale: 'en' | 'ja' = 'en') {
  m = createMessenger({ appId: 'ui', locale, storage: 'none', transport: { type: 'loopback', delay: 5, agentName: 'Echo' } });
  render(<App m={m} />);
}

describe('the widget shell', () => {
  it('opens from the launcher, sends with Enter and shows the echo', async () => {
    boot();
    fireEvent.click(screen.getByRole('button', { name: 'Open support' }));
    // The panel shows whole, with its views and their styles (the first open fetches them).
    expect(await screen.findByRole('dialog', { name: 'Support' })).toBeTruthy();
    const input = (await screen.findByRole('textbox', { name: 'Message' })) as HTMLTextAreaElement;
    fireEvent.input(input, { target: { value: 'Hello' } });
    fireEvent.keyDown(input, { key: 'Enter' });
    expect(input.value).toBe('');
    await waitFor(() => expect(screen.getAllByText('Hello')).toHaveLength(2));
  });

  it('takes its names from config.strings for a language that is not built in', async () => {
    m = createMessenger({ appId: 'ui', locale: 'ko', storage: 'none', transport: { type: 'loopback' }, strings: { ko: { open: '지원 열기', title: '지원' } } });
    const ready = new Promise<void>((resolve) => m.on('ready', () => resolve()));
    render(<App m={m} />);
    await ready;
    fireEvent.click(await screen.findByRole('button', { name: '지원 열기' }));
    expect(await screen.findByRole('dialog', { name: '지원' })).toBeTruthy();
    expect(screen.getByRole('button', { name: 'Send' })).toBeTruthy();
  });

  it('does not send while an IME is composing, and Shift+Enter adds a line', async () => {
    boot('ja');
    fireEvent.click(await screen.findByRole('button', { name: 'サポートを開く' }));
    const input = (await screen.findByRole('textbox', { name: 'メッセージ' })) as HTMLTextAreaElement;
    fireEvent.input(input, { target: { value: 'へんぴん' } });
    fireEvent.keyDown(input, { key: 'Enter', isComposing: true });
    fireEvent.keyDown(input, { key: 'Enter', shiftKey: true });
    expect(input.value).toBe('へんぴん');
    expect(m.state.$messages.get()).toEqual([]);
  });

  // After a Korean boot with its own strings and a Japanese one on the same page: the next
  // messenger's thread must follow its own stores (it did not while the launcher used signals).
  it('shows who joined once a person is asked for, and stops offering one', async () => {
    boot();
    m.open();
    m.talkToPerson();
    // The thread arrives with the views chunk, which a busy machine may take a while to load.
    await waitFor(() => expect(screen.getAllByText('Echo joined the conversation.').length).toBeGreaterThan(0), { timeout: 5000 });
    expect(screen.queryByRole('button', { name: 'Talk to a person' })).toBeNull();
  });

  it('closes with Escape and names the launcher for what it does', async () => {
    boot();
    fireEvent.click(screen.getByRole('button', { name: 'Open support' }));
    expect(screen.getByRole('button', { name: 'Close support' }).getAttribute('aria-expanded')).toBe('true');
    fireEvent.keyDown(await screen.findByRole('textbox', { name: 'Message' }), { key: 'Escape' });
    expect(screen.queryByRole('dialog')).toBeNull();
    expect(document.activeElement?.getAttribute('aria-label')).toBe('Open support');
  });

  it('never renders message text as HTML', async () => {
    boot();
    m.open();
    m.send('<img src=x onerror=alert(1)> **bold**');
    await waitFor(() => expect(screen.getAllByText(/onerror/).length).toBeGreaterThan(0));
    expect(document.querySelector('.log img')).toBeNull();
  });

  it('hides "Talk to a person" at a flow step that opts out of it, and offers it again after', async () => {
    vi.spyOn(console, 'warn').mockImplementation(() => {});
    const flow = {
      id: 'pick',
      version: 1,
      start: 'q',
      nodes: {
        q: { type: 'choice', text: 'Which one?', allowHuman: false, options: [{ id: 'a', label: 'This one', next: 'done' }] },
        done: { type: 'end', text: 'Done.' },
      },
    };
    m = createMessenger({ appId: 'ui', storage: 'none', transport: { type: 'loopback', delay: 5 }, flows: [flow] });
    render(<App m={m} />);
    m.startFlow('pick');
    const choice = await screen.findByRole('button', { name: 'This one' });
    expect(screen.queryByRole('button', { name: 'Talk to a person' })).toBeNull();
    fireEvent.click(choice);
    await waitFor(() => expect(screen.getByRole('button', { name: 'Talk to a person' })).toBeTruthy());
  });
});
