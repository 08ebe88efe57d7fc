// @vitest-environment happy-dom
import 'fake-indexeddb/auto';
import { createMessenger as createHeadless } from '@madoguchi/core';
import { act, createElement as h, StrictMode, type ReactNode } from 'react';
import { createRoot, type Root } from 'react-dom/client';
import type { MessengerConfig } from 'madoguchi';
import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { MessengerProvider, useMessenger, type UseMessenger } from './index';

const config: MessengerConfig = { appId: 'react-binding', storage: 'none', transport: { type: 'loopback', delay: 5, agentName: 'Echo' } };

let root: Root | undefined;
let seen: UseMessenger | undefined;
let renders = 0;
let earlierPage: { shutdown(): Promise<void> } | undefined;

beforeAll(() => {
  (globalThis as { IS_REACT_ACT_ENVIRONMENT?: boolean }).IS_REACT_ACT_ENVIRONMENT = true;
});

afterEach(async () => {
  await act(async () => root?.unmount());
  root = undefined;
  await vi.waitFor(() => expect(hosts()).toBe(0));
  await earlierPage?.shutdown();
  earlierPage = undefined;
  document.body.innerHTML = '';
  seen = undefined;
  renders = 0;
});

const hosts = () => document.querySelectorAll('madoguchi-widget').length;

/** What a host app would show: a Help button and the unread count, both from the hook. */
function HelpButton() {
  const messenger = useMessenger();
  seen = messenger;
  renders++;
  return h('button', { onClick: messenger.open, 'data-open': String(messenger.isOpen) }, `Help (${messenger.unread})`);
}

async function mount(tree: ReactNode) {
  const container = document.body.appendChild(document.createElement('div'));
  root = createRoot(container);
  await act(async () => root!.render(tree));
  return container;
}

/** Waits for what the messenger does by itself (the widget arriving, a reply) inside act, so React renders it. */
const settle = (condition: () => void) => act(() => vi.waitFor(condition));

const button = (container: HTMLElement) => container.querySelector('button')!;

describe('MessengerProvider and useMessenger', () => {
  it('under StrictMode puts one widget on the page and keeps one conversation', async () => {
    const container = await mount(h(StrictMode, null, h(MessengerProvider, { config }, h(HelpButton))));
    await settle(() => expect(hosts()).toBe(1));
    const first = seen!.messenger;
    await act(async () => first.send('Where is my parcel?'));
    await settle(() => expect(first.state.$messages.get().some((m) => m.author === 'agent')).toBe(true));
    // Nothing shut the messenger down behind StrictMode's second mount: still booted, same thread.
    await act(() => new Promise((resolve) => setTimeout(resolve, 20)));
    expect(seen!.messenger).toBe(first);
    expect(first.state.$booted.get()).toBe(true);
    expect(seen!.messages.map((m) => m.text)).toContain('Where is my parcel?');
    expect(hosts()).toBe(1);
    expect(button(container).textContent).toMatch(/^Help \(\d+\)$/);
  });

  it('under StrictMode restores the stored conversation instead of wiping it', async () => {
    // The page before a reload: a conversation the visitor had, kept in IndexedDB.
    const stored = { ...config, appId: 'react-reload', storage: 'always' as const };
    const before = (earlierPage = createHeadless(stored));
    // The first message brings the line up.
    before.send('Remember me');
    await vi.waitFor(() => expect(before.state.$messages.get().some((m) => m.author === 'agent')).toBe(true));
    await new Promise((resolve) => setTimeout(resolve, 50));

    await mount(h(StrictMode, null, h(MessengerProvider, { config: stored }, h(HelpButton))));
    await settle(() => expect(hosts()).toBe(1));
    await settle(() => expect(seen!.messages.map((m) => m.text)).toContain('Remember me'));
    await act(() => new Promise((resolve) => setTimeout(resolve, 50)));
    expect(seen!.messages.map((m) => m.text)).toContain('Remember me');
  });

  it('re-renders when the state changes: unread replies, then open', async () => {
    const container = await mount(h(StrictMode, null, h(MessengerProvider, { config }, h(HelpButton))));
    await settle(() => expect(hosts()).toBe(1));
    expect(button(container).textContent).toBe('Help (0)');
    const before = renders;
    await act(async () => seen!.messenger.send('Hello'));
    await settle(() => expect(seen!.messenger.state.$unread.get()).toBeGreaterThan(0));
    expect(button(container).textContent).toBe(`Help (${seen!.messenger.state.$unread.get()})`);
    expect(renders).toBeGreaterThan(before);
    await act(async () => button(container).click());
    expect(button(container).dataset.open).toBe('true');
    expect(button(container).textContent).toBe('Help (0)');
    expect(document.querySelector('madoguchi-widget')!.shadowRoot!.querySelector('[role="dialog"]')).not.toBeNull();
  });

  it('hands out commands that stay the same across renders', async () => {
    await mount(h(MessengerProvider, { config }, h(HelpButton)));
    const first = seen!;
    await act(async () => first.toggle());
    expect(seen).not.toBe(first);
    expect(seen!.isOpen).toBe(true);
    expect(seen!.toggle).toBe(first.toggle);
    expect(seen!.close).toBe(first.close);
  });

  it('shuts the messenger down and removes the widget on a real unmount', async () => {
    await mount(h(StrictMode, null, h(MessengerProvider, { config }, h(HelpButton))));
    await settle(() => expect(hosts()).toBe(1));
    const messenger = seen!.messenger;
    await act(async () => root!.unmount());
    root = undefined;
    await vi.waitFor(() => expect(hosts()).toBe(0));
    expect(messenger.state.$booted.get()).toBe(false);
  });

  it('waits for boot when the provider has no config', async () => {
    await mount(h(MessengerProvider, null, h(HelpButton)));
    await act(() => new Promise((resolve) => setTimeout(resolve, 20)));
    expect(hosts()).toBe(0);
    await act(async () => seen!.boot(config));
    await settle(() => expect(hosts()).toBe(1));
  });

  it('says where it must be used when there is no provider', async () => {
    const error = vi.spyOn(console, 'error').mockImplementation(() => {});
    await expect(mount(h(HelpButton))).rejects.toThrow('useMessenger() must be called inside <MessengerProvider>');
    error.mockRestore();
  });
});
