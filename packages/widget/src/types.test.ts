// Compile-time checks of the public types (`npm run typecheck` fails when one stops holding),
// with a run-time twin where there is behaviour to see.
import { describe, expectTypeOf, it } from 'vitest';
import type { MadoguchiCommand } from './global';
import { createMessenger, type Messenger, type MessengerConfig, type MadoguchiError, type Message } from './index';

describe('public types', () => {
  it('types every event name and its payload; a misspelt one does not compile', () => {
    const m = {} as Messenger;
    expectTypeOf(m.on).toBeCallableWith('message', (message: Message) => void message.text);
    expectTypeOf(m.on).toBeCallableWith('unread', (count: number) => void count);
    expectTypeOf(m.on).toBeCallableWith('error', (error: MadoguchiError) => void error.path);
    // @ts-expect-error a typo in an event name is a compile error
    expectTypeOf(m.on).toBeCallableWith('mesage', () => {});
    // @ts-expect-error the payload is typed: `unread` gives a number
    expectTypeOf(m.on).toBeCallableWith('unread', (count: string) => void count);
    expectTypeOf<ReturnType<typeof m.on<'ready'>>>().toEqualTypeOf<() => void>();
  });

  it('types the config without an index signature: an unknown field does not compile', () => {
    expectTypeOf<MessengerConfig>().toHaveProperty('appId');
    // @ts-expect-error `apId` is not a config field
    const wrong: MessengerConfig = { appId: 'acme', apId: 'typo' };
    void wrong;
    expectTypeOf<MessengerConfig['analytics']>().toEqualTypeOf<{ url: string } | undefined>();
  });

  it('types the script-tag global and its commands', () => {
    const command = (() => {}) as unknown as Window['Madoguchi'];
    expectTypeOf(command).toEqualTypeOf<MadoguchiCommand>();
    expectTypeOf(command).toBeCallableWith('boot', { appId: 'acme' });
    expectTypeOf(command).toBeCallableWith('showArticle', 'returns');
    // @ts-expect-error `boot` needs a config
    expectTypeOf(command).toBeCallableWith('boot');
    // @ts-expect-error not a command
    expectTypeOf(command).toBeCallableWith('opne');
  });

  it('returns a messenger with every command of the script tag', () => {
    expectTypeOf(createMessenger).returns.toMatchTypeOf<Pick<Messenger, 'boot' | 'update' | 'track' | 'open' | 'close' | 'toggle' | 'showArticle' | 'startFlow' | 'on' | 'off' | 'shutdown'>>();
  });
});
