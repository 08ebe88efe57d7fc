// @vitest-environment happy-dom
import type { MessengerConfig } from 'madoguchi';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { createApp, defineComponent, h, nextTick, type App } from 'vue';
import { Madoguchi, useMessenger, type UseMessenger } from './index';

const config: MessengerConfig = { appId: 'vue-binding', storage: 'none', transport: { type: 'loopback', delay: 5, agentName: 'Echo' } };

let app: App | undefined;
let seen: UseMessenger | undefined;

afterEach(async () => {
  app?.unmount();
  app = undefined;
  await vi.waitFor(() => expect(hosts()).toBe(0));
  document.body.innerHTML = '';
});

const hosts = () => document.querySelectorAll('madoguchi-widget').length;

/** What a host app would show: a Help button and the unread count, both from the composable. */
const HelpButton = defineComponent({
  setup() {
    const messenger = (seen = useMessenger());
    return () => h('button', { onClick: messenger.open, 'data-open': String(messenger.isOpen.value) }, `Help (${messenger.unread.value})`);
  },
});

function mount(cfg?: MessengerConfig) {
  const container = document.body.appendChild(document.createElement('div'));
  app = createApp(HelpButton).use(Madoguchi, cfg);
  app.mount(container);
  return container.querySelector('button')!;
}

describe('the Madoguchi plugin and useMessenger', () => {
  it('puts one widget on the page and updates the template as the state changes', async () => {
    const button = mount(config);
    await vi.waitFor(() => expect(hosts()).toBe(1));
    expect(button.textContent).toBe('Help (0)');
    seen!.messenger.send('Hello');
    await vi.waitFor(() => expect(seen!.unread.value).toBeGreaterThan(0));
    await nextTick();
    expect(button.textContent).toBe(`Help (${seen!.unread.value})`);
    expect(seen!.messages.value.map((m) => m.text)).toContain('Hello');

    button.click();
    await nextTick();
    expect(button.dataset.open).toBe('true');
    expect(button.textContent).toBe('Help (0)');
    await vi.waitFor(() => expect(document.querySelector('madoguchi-widget')!.shadowRoot!.querySelector('[role="dialog"]')).not.toBeNull());
  });

  it('gives read-only refs: the state changes only through the commands', async () => {
    mount(config);
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
    (seen!.isOpen as { value: boolean }).value = true;
    expect(seen!.isOpen.value).toBe(false);
    warn.mockRestore();
    seen!.toggle();
    expect(seen!.isOpen.value).toBe(true);
  });

  it('shuts the messenger down and removes the widget when the app unmounts', async () => {
    mount(config);
    await vi.waitFor(() => expect(hosts()).toBe(1));
    const { messenger } = seen!;
    app!.unmount();
    app = undefined;
    await vi.waitFor(() => expect(hosts()).toBe(0));
    expect(messenger.state.$booted.get()).toBe(false);
  });

  it('waits for boot when the plugin has no config', async () => {
    mount();
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(hosts()).toBe(0);
    seen!.boot(config);
    await vi.waitFor(() => expect(hosts()).toBe(1));
  });

  it('says what is missing when the plugin was not installed', () => {
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
    const container = document.body.appendChild(document.createElement('div'));
    const bare = createApp(HelpButton);
    bare.config.errorHandler = (error) => {
      throw error;
    };
    expect(() => bare.mount(container)).toThrow('useMessenger() needs the plugin: app.use(Madoguchi, config)');
    warn.mockRestore();
  });
});
