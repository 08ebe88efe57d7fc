import { afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { createConversationStore } from '../../conversation';
import { createEmitter } from '../../emitter';
import type { MadoguchiEvent } from '../../insights/events';
import type { Message } from '../../types';
import { createInsightsPart } from '.';
import { importEngines } from '../import-engines';
import type { Kernel, MadoguchiError, MadoguchiWarning } from '../kernel';

type Session = Record<string, unknown>;

/** A kernel with a page at `url`, an in-memory session record, and everything it did recorded. */
function setup(config: Record<string, unknown>, o: { url?: string; session?: Session; files?: Record<string, unknown>; attributes?: Record<string, unknown> } = {}) {
  const bus = createEmitter<Record<string, (...a: any[]) => void>>(() => {});
  const conversation = createConversationStore();
  const session: Session = o.session || {};
  const events: MadoguchiEvent[] = [];
  const warnings: MadoguchiWarning[] = [];
  const errors: MadoguchiError[] = [];
  let open = false;
  const page = { url: o.url || 'https://shop.example/products/router-x', at: Date.now() };
  const k: Kernel = {
    config: () => ({ appId: 'acme', ...config }),
    signal: () => new AbortController().signal,
    locale: () => 'en',
    conversationId: () => 'c1',
    visitorId: () => 'v1',
    conversation,
    storage: () =>
      ({
        getSession: async () => ({ ...session }),
        setSession: (patch: Session) => Object.assign(session, JSON.parse(JSON.stringify(patch))),
      }) as never,
    context: () =>
      ({
        snapshot: () => ({
          page: { url: page.url, path: new URL(page.url).pathname, title: '', referrer: '' },
          trail: [{ type: 'page', at: page.at, url: page.url }],
          timeOnPageMs: Date.now() - page.at,
          visitCount: 1,
          firstSeen: 1,
          lastSeen: page.at,
          returning: false,
          visitorId: 'v1',
          user: { attributes: o.attributes },
          device: {} as never,
        }),
      }) as never,
    transport: () => undefined,
    line: async () => undefined,
    say(text) {
      const m: Message = { id: 'm' + conversation.$messages.get().length, conversationId: 'c1', author: 'bot', text, at: Date.now() };
      conversation.upsert(m);
      bus.emit('message', m);
      return m;
    },
    receive: (m) => conversation.upsert(m),
    track: (e) => bus.emit('event', { ...e, at: Date.now() } as MadoguchiEvent),
    emit: (name, ...args) => bus.emit(name, ...args),
    on: (name, handler) => bus.on(name, handler),
    report: (e) => errors.push(e),
    warn: (w) => warnings.push(w),
    fetchJson: async (url) => {
      if (!(url in (o.files || {}))) throw new Error(`${url} answered 404`);
      return o.files![url];
    },
    open() {
      open = true;
      bus.emit('open');
    },
    setStatus: (patch) => conversation.setStatus(patch),
    isOpen: () => open,
  };
  bus.on('event', (e: MadoguchiEvent) => events.push(e));
  const part = createInsightsPart(k, importEngines.insights);
  const navigate = (url: string) => {
    page.url = url;
    page.at = Date.now();
    part.activity?.('page');
  };
  return { k, part, bus, session, events, warnings, errors, conversation, navigate, isOpen: () => open };
}

/** Boots and lets the rules and the lazily loaded engine arrive. */
const boot = async (s: ReturnType<typeof setup>) => {
  // The part's code arrives on demand: at boot for proactive rules or analytics, else as soon as
  // a person is involved (the survey follows).
  if (!s.part.boot?.()) s.bus.emit('status', { phase: 'waiting' });
  for (let i = 0; i < 5; i++) await vi.advanceTimersByTimeAsync(0);
};
const types = (s: ReturnType<typeof setup>) => s.events.map((e) => e.type);

const RULES = {
  rules: [
    { id: 'products', url: '/products/*', afterSeconds: 20, message: { en: 'Questions about this product?', ja: 'この製品についてご質問は？' } },
    { id: 'checkout', event: 'checkout_started', message: 'Need a hand with checkout?' },
  ],
};

beforeAll(() => importEngines.insights());
beforeEach(() => {
  vi.useFakeTimers();
});
afterEach(() => {
  vi.useRealTimers();
  vi.unstubAllGlobals();
});

describe('proactive messages', () => {
  it('shows a message after the time on a matching page, in the thread and the preview, once', async () => {
    const s = setup({ proactive: RULES });
    await boot(s);
    await vi.advanceTimersByTimeAsync(19_000);
    expect(s.part.$preview.get()).toBeNull();
    await vi.advanceTimersByTimeAsync(1_500);
    expect(s.part.$preview.get()).toEqual({ ruleId: 'products', text: 'Questions about this product?' });
    expect(s.conversation.$messages.get().map((m) => m.text)).toEqual(['Questions about this product?']);
    expect(s.events.filter((e) => e.type == 'proactive.shown')).toMatchObject([{ ruleId: 'products' }]);
    expect(s.isOpen()).toBe(false);
    // Once per session by default: another product page does not show it again.
    s.navigate('https://shop.example/products/mesh');
    await vi.advanceTimersByTimeAsync(30_000);
    expect(s.conversation.$messages.get()).toHaveLength(1);
  });

  it('waits for a matching page and restarts the clock on each page view', async () => {
    const s = setup({ proactive: RULES }, { url: 'https://shop.example/' });
    await boot(s);
    await vi.advanceTimersByTimeAsync(25_000);
    expect(s.part.$preview.get()).toBeNull();
    s.navigate('https://shop.example/products/router-x');
    await vi.advanceTimersByTimeAsync(10_000);
    expect(s.part.$preview.get()).toBeNull();
    await vi.advanceTimersByTimeAsync(10_500);
    expect(s.part.$preview.get()?.ruleId).toBe('products');
  });

  it('fires an event rule on that custom event only, and opens the panel when the preview is clicked', async () => {
    const s = setup({ proactive: { rules: [RULES.rules[1]] } });
    await boot(s);
    s.part.activity?.('event', 'cart_viewed');
    expect(s.part.$preview.get()).toBeNull();
    s.part.activity?.('event', 'checkout_started');
    expect(s.part.$preview.get()?.text).toBe('Need a hand with checkout?');
    s.part.openPreview();
    expect(s.isOpen()).toBe(true);
    expect(s.part.$preview.get()).toBeNull();
    expect(types(s)).toEqual(['proactive.shown', 'proactive.clicked']);
  });

  it('puts the message in the thread without a preview while the panel is open', async () => {
    const s = setup({ proactive: { rules: [RULES.rules[1]] } });
    await boot(s);
    s.k.open();
    s.part.activity?.('event', 'checkout_started');
    expect(s.part.$preview.get()).toBeNull();
    expect(s.conversation.$messages.get()).toHaveLength(1);
  });

  it('keeps its caps in the session record: a once-per-user rule never comes back on a later visit', async () => {
    const rules = { rules: [{ id: 'hello', message: 'Hi there', once: 'user' }] };
    const first = setup({ proactive: rules });
    await boot(first);
    expect(first.part.$preview.get()?.ruleId).toBe('hello');
    const later = setup({ proactive: rules }, { session: first.session });
    await boot(later);
    expect(later.part.$preview.get()).toBeNull();
  });

  it('stays quiet in quiet mode, and while a person is on the line', async () => {
    const quiet = setup({ proactive: { quiet: true, rules: [RULES.rules[1]] } });
    await boot(quiet);
    quiet.part.activity?.('event', 'checkout_started');
    expect(quiet.conversation.$messages.get()).toHaveLength(0);
    const busy = setup({ proactive: { rules: [RULES.rules[1]] } });
    await boot(busy);
    busy.conversation.setStatus({ phase: 'agent' });
    busy.part.activity?.('event', 'checkout_started');
    expect(busy.conversation.$messages.get()).toHaveLength(0);
  });

  it('fetches a rules file, leaves out broken rules and warns with their paths', async () => {
    const file = { rules: [{ id: 'ok', message: 'Hello' }, { id: 'bad', afterSeconds: -1, message: 'x' }] };
    const s = setup({ proactive: '/rules.json' }, { files: { '/rules.json': file } });
    await boot(s);
    expect(s.part.$preview.get()?.ruleId).toBe('ok');
    expect(s.warnings.map((w) => w.message)).toEqual(['proactive rules $.rules[1].afterSeconds: expected a number of seconds, 0 or more']);
    const missing = setup({ proactive: '/nope.json' });
    await boot(missing);
    expect(missing.errors[0]).toMatchObject({ path: '$.proactive', message: 'proactive rules: /nope.json answered 404' });
  });

  it('asks the flow to start for a flow rule, and previews the flow\'s first message', async () => {
    const s = setup({ proactive: { rules: [{ id: 'setup', url: '/products/*', flow: 'device-setup' }] } });
    const started: string[] = [];
    s.bus.on('proactive:flow', (id: string) => {
      started.push(id);
      s.k.say('Setting up a new router? I can walk you through it.');
    });
    await boot(s);
    expect(started).toEqual(['device-setup']);
    expect(s.part.$preview.get()).toEqual({ ruleId: 'setup', text: 'Setting up a new router? I can walk you through it.' });
  });
});

describe('the survey', () => {
  const close = (s: ReturnType<typeof setup>) => {
    s.conversation.setStatus({ phase: 'closed' });
    s.bus.emit('status', s.conversation.$status.get());
  };

  it('asks once when the conversation closes: CSAT at once, CES with the optional comment', async () => {
    const s = setup({});
    await boot(s);
    expect(s.part.$survey.get()).toBeNull();
    close(s);
    // The survey's code arrives when the conversation closes (a chunk of its own).
    await vi.waitFor(() => expect(s.part.$survey.get()).toEqual({ kinds: ['csat', 'ces'], answered: {} }));
    s.part.answer('csat', 4);
    expect(s.events.at(-1)).toMatchObject({ type: 'survey.answered', kind: 'csat', score: 4, scaled: 75 });
    s.part.answer('ces', 9); // out of scale: ignored
    s.part.answer('ces', 7);
    expect(s.part.$survey.get()).toEqual({ kinds: [], answered: { csat: 4, ces: 7 } });
    expect(types(s)).toEqual(['survey.answered']);
    s.part.submitSurvey('  Quick and kind.  ');
    expect(s.events.at(-1)).toMatchObject({ kind: 'ces', score: 7, scaled: 100, comment: 'Quick and kind.' });
    expect(s.part.$survey.get()).toBeNull();
    close(s);
    await vi.advanceTimersByTimeAsync(0);
    expect(s.part.$survey.get()).toBeNull();
    // Remembered: a later page load does not ask about this conversation again.
    const later = setup({}, { session: s.session });
    await boot(later);
    close(later);
    // The survey's code is here (it was loaded above): had it asked, it would have by now.
    await import('./survey');
    await vi.advanceTimersByTimeAsync(0);
    expect(later.part.$survey.get()).toBeNull();
  });

  it('can be skipped: nothing is sent for what was not answered', async () => {
    const s = setup({});
    await boot(s);
    close(s);
    await vi.waitFor(() => expect(s.part.$survey.get()).not.toBeNull());
    s.part.skipSurvey();
    expect(s.part.$survey.get()).toBeNull();
    expect(types(s)).toEqual([]);
  });

  it('sends the last answer without a comment when the messenger shuts down', async () => {
    const s = setup({});
    await boot(s);
    close(s);
    await vi.waitFor(() => expect(s.part.$survey.get()).not.toBeNull());
    s.part.answer('csat', 2);
    s.part.answer('ces', 3);
    s.part.shutdown?.();
    expect(s.events.map((e) => (e.type == 'survey.answered' ? [e.kind, e.scaled, e.comment] : e.type))).toEqual([
      ['csat', 25, undefined],
      ['ces', 33, undefined],
    ]);
  });
});

describe('the analytics sink', () => {
  it('sends nothing without the option', async () => {
    const fetch = vi.fn(async () => new Response(''));
    vi.stubGlobal('fetch', fetch);
    const s = setup({ proactive: { rules: [{ id: 'hi', message: 'Hi' }] } });
    await boot(s);
    s.part.shutdown?.();
    await vi.advanceTimersByTimeAsync(10_000);
    expect(fetch).not.toHaveBeenCalled();
  });

  it('batches every event to the URL as ndjson and sends what is left at shutdown', async () => {
    const bodies: string[] = [];
    vi.stubGlobal('fetch', async (_url: string, init: RequestInit) => (bodies.push(String(init.body)), new Response('')));
    const s = setup({ analytics: { url: '/relay/events' }, proactive: { rules: [{ id: 'hi', message: 'Hi' }] } });
    await boot(s);
    s.k.track({ type: 'widget.opened' });
    await vi.advanceTimersByTimeAsync(6_000);
    expect(bodies.join('').trim().split('\n').map((l) => JSON.parse(l).type)).toEqual(['proactive.shown', 'widget.opened']);
    s.k.track({ type: 'widget.closed' });
    s.part.shutdown?.();
    await vi.advanceTimersByTimeAsync(0);
    expect(bodies.at(-1)).toContain('"widget.closed"');
  });

  it('warns about an analytics option without a URL', async () => {
    const s = setup({ analytics: { endpoint: '/x' } });
    await boot(s);
    expect(s.warnings[0]?.message).toMatch(/\$\.analytics\.url/);
  });
});
