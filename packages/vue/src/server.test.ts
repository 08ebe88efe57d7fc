import { describe, expect, it } from 'vitest';
import { createSSRApp, defineComponent, h } from 'vue';
import { renderToString } from 'vue/server-renderer';
import { Madoguchi, useMessenger, type UseMessenger } from './index';

describe('server rendering (Nuxt, for example)', () => {
  it('renders the initial state and leaves booting to the browser', async () => {
    let seen: UseMessenger | undefined;
    const HelpButton = defineComponent({
      setup() {
        const messenger = (seen = useMessenger());
        return () => h('button', { 'aria-expanded': messenger.isOpen.value }, `Help (${messenger.unread.value})`);
      },
    });
    const app = createSSRApp(HelpButton).use(Madoguchi, { appId: 'ssr' });
    expect(await renderToString(app)).toBe('<button aria-expanded="false">Help (0)</button>');
    expect(seen!.messenger.state.$booted.get()).toBe(false);
  });
});
