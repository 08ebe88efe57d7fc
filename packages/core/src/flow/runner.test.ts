import { describe, expect, it } from 'vitest';
import { createFlowRunner, FLOW_LIMITS, FLOW_MAX_STEPS, readFlowAnswer, validateFlow, type Flow, type FlowEnv } from './index';

const env = (over: Partial<FlowEnv> = {}): FlowEnv => ({
  locale: 'en',
  bucketKey: 'user-1',
  seed: 7,
  now: () => 1000,
  user: { id: 'user-1', name: 'Aiko', attributes: { plan: 'pro', visits: 3 } },
  context: { page: { title: 'Billing' } },
  ...over,
});

const flowOf = (nodes: Record<string, unknown>, variables: Record<string, unknown> = {}, start = 'a'): Flow => {
  const r = validateFlow({ id: 't', version: 1, start, variables, nodes });
  expect(r.errors).toEqual([]);
  return r.flow!;
};
const texts = (t: { messages: { text: string }[] }) => t.messages.map((m) => m.text);

describe('createFlowRunner', () => {
  it('message: says localized text with a typing delay, fills templates, then ends', () => {
    const f = flowOf({
      a: { type: 'message', text: { en: 'Hi {{user.name}} on {{context.page.title}}', ja: '{{user.name}}さん' }, delayMs: 500, next: 'b' },
      b: { type: 'end', text: 'Bye' },
    });
    const t = createFlowRunner(f, env()).start();
    expect(t.messages).toEqual([{ text: 'Hi Aiko on Billing', delayMs: 500 }, { text: 'Bye' }]);
    expect(t.done).toBe(true);
    expect(texts(createFlowRunner(f, env({ locale: 'ja' })).start())).toEqual(['Aikoさん', 'Bye']);
  });

  it('message: gives its image, link buttons and article cards beside the text, as plain text with values encoded in URLs', () => {
    const f = flowOf(
      {
        a: {
          type: 'message',
          text: 'Here you go:',
          image: { src: 'https://cdn.example.com/router.png', alt: { en: 'The router [front]', ja: 'ルーター' } },
          links: [
            { label: 'Track **{{vars.order}}**', url: 'https://shop.example.com/track/{{vars.order}}' },
            { label: 'Your orders', url: '/orders?o={{vars.order}}' },
          ],
          cards: [
            { title: 'Returns', article: 'returns', text: 'Within 30 days.' },
            { title: 'Policy', url: 'https://help.example.com/policy' },
          ],
        },
      },
      { order: 'string' },
    );
    const t = createFlowRunner(f, env({ vars: { order: 'A (1)/2' } })).start();
    expect(t.messages).toEqual([
      {
        text: 'Here you go:',
        image: { src: 'https://cdn.example.com/router.png', alt: 'The router [front]' },
        links: [
          { label: 'Track **A (1)/2**', url: 'https://shop.example.com/track/A%20(1)%2F2' },
          { label: 'Your orders', url: '/orders?o=A%20(1)%2F2' },
        ],
        cards: [
          { title: 'Returns', article: 'returns', text: 'Within 30 days.' },
          { title: 'Policy', url: 'https://help.example.com/policy' },
        ],
      },
    ]);
    const bad = validateFlow({
      id: 'x',
      version: 1,
      start: 'a',
      nodes: {
        a: {
          type: 'message',
          text: 'x',
          links: [{ label: 'x', url: 'javascript:alert(1)' }, { label: 'y', url: '//evil.example/' }],
          image: { src: 'http://a.b/c.png', alt: 'c' },
          cards: [{ title: 'both', article: 'a', url: '/a' }, { title: 'neither' }],
        },
      },
    });
    expect(bad.errors.map((e) => e.path)).toEqual(['$.nodes.a.image.src', '$.nodes.a.links[0].url', '$.nodes.a.links[1].url', '$.nodes.a.cards[0]', '$.nodes.a.cards[1]']);
  });

  it('message: keeps at most 10 links and cards, each text cut to 300 characters', () => {
    const long = 'x'.repeat(400);
    const links = Array.from({ length: 12 }, (_, i) => ({ label: `${i} ${long}`, url: `/l/${i}` }));
    const f = flowOf({ a: { type: 'message', text: 'Many', links, cards: [{ title: long, text: long, article: 'a' }] } });
    const [m] = createFlowRunner(f, env()).start().messages;
    expect(m.links).toHaveLength(10);
    expect(m.links![9]).toEqual({ label: `9 ${long}`.slice(0, 300), url: '/l/9' });
    expect(m.cards).toEqual([{ title: long.slice(0, 300), text: long.slice(0, 300), article: 'a' }]);
  });

  it('escapes user values for the Markdown subset', () => {
    const f = flowOf({ a: { type: 'message', text: '**Hello** {{user.name}}' } });
    const t = createFlowRunner(f, env({ user: { name: '[x](javascript:alert(1)) **b** <img>' } })).start();
    expect(t.messages[0].text).toBe('**Hello** \\[x\\]\\(javascript:alert\\(1\\)\\) \\*\\*b\\*\\* \\<img\\>');
  });

  it('choice: offers options, saves the pick, accepts a typed label, refuses anything else', () => {
    const f = flowOf(
      {
        a: { type: 'choice', text: 'Pick', save: 'pick', options: [{ id: 'x', label: 'Ex', next: 'b' }, { id: 'y', label: 'Why', next: 'c' }] },
        b: { type: 'end', text: 'got {{vars.pick}}' },
        c: { type: 'end', text: 'why' },
      },
      { pick: 'string' },
    );
    const r = createFlowRunner(f, env());
    expect(r.start().wait).toEqual({ node: 'a', allowHuman: true, kind: 'choice', options: [{ id: 'x', label: 'Ex' }, { id: 'y', label: 'Why' }] });
    const bad = r.reply({ type: 'choice', id: 'zzz' });
    expect(bad.wait?.error).toBe('Please pick one of the options.');
    expect(texts(r.reply({ type: 'text', value: ' ex ' }))).toEqual(['got x']);
    expect(r.state.vars.pick).toBe('x');
  });

  it('choice: builds options from a list variable', () => {
    const f = flowOf(
      {
        a: { type: 'set', ops: [{ var: 'plans', op: 'append', value: 'Basic' }, { var: 'plans', op: 'append', value: { id: 'pro', label: 'Pro plan' } }], next: 'b' },
        b: { type: 'choice', save: 'plan', optionsFrom: { var: 'plans', next: 'c' } },
        c: { type: 'end', text: '{{vars.plan}}' },
      },
      { plans: 'list', plan: 'string' },
    );
    const r = createFlowRunner(f, env());
    const w = r.start().wait;
    expect(w?.kind == 'choice' && w.options).toEqual([{ id: 'Basic', label: 'Basic' }, { id: 'pro', label: 'Pro plan' }]);
    expect(texts(r.reply({ type: 'choice', id: 'pro' }))).toEqual(['pro']);
  });

  it('choice: labels from a list may be localised, as a request answer gives them', () => {
    const f = flowOf(
      {
        a: { type: 'request', handler: 'plans', save: { plans: 'plans' }, ok: 'b', error: 'c', timeout: 'c' },
        b: { type: 'choice', save: 'plan', optionsFrom: { var: 'plans', next: 'c' } },
        c: { type: 'end', text: '{{vars.plan}}' },
      },
      { plans: 'list', plan: 'string' },
    );
    const r = createFlowRunner(f, env({ locale: 'ja' }));
    r.start();
    const w = r.reply({ type: 'request-result', status: 'ok', data: { plans: [{ id: 'pro', label: { en: 'Pro plan', ja: 'プロプラン' } }, { id: 'free', label: { en: 'Free' } }] } }).wait;
    expect(w?.kind == 'choice' && w.options).toEqual([{ id: 'pro', label: 'プロプラン' }, { id: 'free', label: 'Free' }]);
    expect(texts(r.reply({ type: 'text', value: 'プロプラン' }))).toEqual(['pro']);
  });

  it('choice: multiple options picked together are saved as a list, by id or typed labels', () => {
    const f = flowOf(
      {
        a: {
          type: 'choice',
          text: 'Which apply?',
          multiple: true,
          options: [
            { id: 'wifi', label: { en: 'Wi-Fi drops', ja: 'Wi-Fiが切れる' } },
            { id: 'slow', label: 'Slow' },
            { id: 'other', label: 'Other' },
          ],
          save: 'issues',
          next: 'b',
        },
        b: { type: 'end', text: '{{vars.issues}}' },
      },
      { issues: 'list' },
    );
    let r = createFlowRunner(f, env());
    expect(r.start().wait).toMatchObject({ kind: 'choice', multiple: true });
    expect(r.reply({ type: 'choices', ids: [] }).wait?.error).toBe('Please pick one of the options.');
    expect(r.reply({ type: 'choices', ids: ['wifi', 'nope'] }).wait?.kind).toBe('choice');
    expect(texts(r.reply({ type: 'choices', ids: ['slow', 'wifi', 'slow'] }))).toEqual(['slow, wifi']);
    r = createFlowRunner(f, env({ locale: 'ja' }));
    r.start();
    r.reply({ type: 'text', value: 'Wi-Fiが切れる、other' });
    expect(r.state.vars.issues).toEqual(['wifi', 'other']);
    const v = validateFlow({ id: 'm', version: 1, start: 'a', variables: { one: 'string' }, nodes: { a: { ...f.nodes.a, save: 'one', next: undefined }, b: f.nodes.b } });
    expect(v.errors.map((e) => e.path).sort()).toEqual(['$.nodes.a.next', '$.nodes.a.save', '$.nodes.b', '$.nodes.b.text']);
  });

  it('input: validates, retries with a message, then takes the exhausted exit', () => {
    const f = flowOf(
      {
        a: { type: 'input', input: 'email', text: 'E-mail?', placeholder: 'you@example.com', retryText: 'Not an e-mail.', maxRetries: 1, save: 'email', next: 'ok', exhausted: 'gone' },
        ok: { type: 'end', text: 'Thanks {{vars.email}}' },
        gone: { type: 'end', text: 'Never mind' },
      },
      { email: 'string' },
    );
    const r = createFlowRunner(f, env());
    expect(r.start().wait).toMatchObject({ kind: 'input', input: 'email', placeholder: 'you@example.com' });
    const retry = r.reply({ type: 'text', value: 'nope' });
    expect(texts(retry)).toEqual(['Not an e-mail.']);
    expect(retry.wait).toMatchObject({ kind: 'input', error: 'Not an e-mail.' });
    expect(texts(r.reply({ type: 'text', value: 'still nope' }))).toEqual(['Never mind']);

    const r2 = createFlowRunner(f, env());
    r2.start();
    expect(texts(r2.reply({ type: 'text', value: 'a.b@example.com' }))).toEqual(['Thanks a\\.b@example\\.com']);
    expect(r2.state.vars.email).toBe('a.b@example.com');
  });

  it('input: reads phone, number with min/max, length, pattern and date answers', () => {
    const node = (over: Record<string, unknown>) => ({ type: 'input', text: '', save: 'x', next: 'a', exhausted: 'a', ...over }) as never;
    expect(readFlowAnswer(node({ input: 'phone' }), '+81 90-1234-5678')).toBe('+81 90-1234-5678');
    expect(readFlowAnswer(node({ input: 'phone' }), 'call me')).toBeUndefined();
    expect(readFlowAnswer(node({ input: 'number', min: 1, max: 10 }), '１０')).toBe(10);
    expect(readFlowAnswer(node({ input: 'number', min: 1, max: 10 }), '11')).toBeUndefined();
    expect(readFlowAnswer(node({ input: 'number' }), '1,200.5')).toBe(1200.5);
    expect(readFlowAnswer(node({ input: 'text', minLength: 3 }), 'ab')).toBeUndefined();
    expect(readFlowAnswer(node({ input: 'text', maxLength: 3 }), 'abcd')).toBeUndefined();
    expect(readFlowAnswer(node({ input: 'text', pattern: '^MD-[0-9]{6}$' }), 'MD-123456')).toBe('MD-123456');
    expect(readFlowAnswer(node({ input: 'text', pattern: '^MD-[0-9]{6}$' }), 'MD-12345')).toBeUndefined();
    expect(readFlowAnswer(node({ input: 'text', pattern: '^(a+)+$' }), 'aaaa')).toBe('aaaa');
    const slow = performance.now();
    expect(readFlowAnswer(node({ input: 'text', pattern: '^(a+)+$' }), 'a'.repeat(999) + 'b')).toBeUndefined();
    expect(readFlowAnswer(node({ input: 'text', pattern: '^\\d*\\d*\\d*\\d*x$' }), '1'.repeat(999))).toBeUndefined();
    // A backtracking matcher would take longer than the age of the universe here; this one is linear.
    expect(performance.now() - slow).toBeLessThan(2000);
    expect(readFlowAnswer(node({ input: 'date' }), '2024/2/29')).toBe('2024-02-29');
    expect(readFlowAnswer(node({ input: 'date' }), '2024年5月1日')).toBe('2024-05-01');
    expect(readFlowAnswer(node({ input: 'date' }), '2023-02-29')).toBeUndefined();
    expect(readFlowAnswer(node({ input: 'email' }), 'ａ＠ｂ．ｃｏ')).toBe('a@b.co');
  });

  it('condition: evaluates a data tree over vars, user and context', () => {
    const when = {
      all: [
        { var: 'user.attributes.plan', in: ['pro', 'vip'] },
        { any: [{ var: 'user.attributes.visits', gte: 5 }, { var: 'context.page.title', matches: '^Bill' }] },
        { not: { var: 'vars.note', exists: true } },
        { var: 'user.name', contains: 'Ai' },
        { var: 'user.attributes.visits', lt: 4 },
        { var: 'user.attributes.plan', ne: 'free' },
      ],
    };
    const f = flowOf({ a: { type: 'condition', when, then: 'y', else: 'n' }, y: { type: 'end', text: 'yes' }, n: { type: 'end', text: 'no' } }, { note: 'string' });
    expect(texts(createFlowRunner(f, env()).start())).toEqual(['yes']);
    expect(texts(createFlowRunner(f, env({ user: { name: 'Aiko', attributes: { plan: 'free', visits: 3 } } })).start())).toEqual(['no']);
  });

  it('condition: a $comment on a leaf or a group is a note, not part of the test', () => {
    const when = { $comment: 'pro users who came back', all: [{ var: 'user.attributes.plan', eq: 'pro', $comment: 'paid' }, { any: [{ var: 'user.attributes.visits', gte: 3 }], $comment: 'again' }] };
    const f = flowOf({ a: { type: 'condition', when, then: 'y', else: 'n' }, y: { type: 'end', text: 'yes' }, n: { type: 'end', text: 'no' } });
    expect(texts(createFlowRunner(f, env()).start())).toEqual(['yes']);
    expect(texts(createFlowRunner(f, env({ user: { attributes: { plan: 'free', visits: 3 } } })).start())).toEqual(['no']);
  });

  it('set and goto: closed operations on typed variables', () => {
    const f = flowOf(
      {
        a: {
          type: 'set',
          ops: [
            { var: 'n', op: 'add', value: 2 },
            { var: 'n', op: 'add', value: 3 },
            { var: 'tags', op: 'append', value: 'a' },
            { var: 'tags', op: 'append', value: 'b' },
            { var: 'tags', op: 'remove', value: 'a' },
            { var: 'who', op: 'copy', from: 'user.name' },
            { var: 'flag', op: 'set', value: true },
            { var: 'flag', op: 'clear' },
          ],
          next: 'g',
        },
        g: { type: 'goto', target: 'e' },
        e: { type: 'end', text: '{{vars.n}} {{vars.tags}} {{vars.who}} [{{vars.flag}}]' },
      },
      { n: 'number', tags: 'list', who: 'string', flag: 'boolean' },
    );
    expect(texts(createFlowRunner(f, env()).start())).toEqual(['5 b Aiko []']);
  });

  it('search: asks for a search, saves article ids, follows found / notFound', () => {
    const f = flowOf(
      {
        a: { type: 'search', query: 'help with {{context.page.title}}', save: 'ids', found: 'y', notFound: 'n' },
        y: { type: 'end', text: 'found {{vars.ids}}' },
        n: { type: 'end', text: 'none' },
      },
      { ids: 'list' },
    );
    const r = createFlowRunner(f, env());
    const t = r.start();
    expect(t.actions).toEqual([{ type: 'search', query: 'help with Billing' }]);
    expect(t.wait).toMatchObject({ kind: 'search', query: 'help with Billing' });
    expect(r.reply({ type: 'text', value: 'hello?' }).wait?.kind).toBe('search');
    expect(texts(r.reply({ type: 'search-result', found: true, articleIds: ['a1', 'a2'] }))).toEqual(['found a1, a2']);
    const r2 = createFlowRunner(f, env());
    r2.start();
    expect(texts(r2.reply({ type: 'search-result', found: false, articleIds: [] }))).toEqual(['none']);
  });

  it('handoff: emits note, hints and the answers, then goes on or ends', () => {
    const f = flowOf(
      {
        a: { type: 'set', ops: [{ var: 'order', op: 'set', value: 'MD-1' }], next: 'h' },
        h: { type: 'handoff', text: 'Connecting', note: 'Order {{vars.order}} for {{user.name}}', hints: { severity: 'high', effort: 'high' } },
      },
      { order: 'string' },
    );
    const t = createFlowRunner(f, env()).start();
    expect(texts(t)).toEqual(['Connecting']);
    expect(t.actions).toEqual([{ type: 'handoff', note: 'Order MD-1 for Aiko', hints: { severity: 'high', effort: 'high' }, answers: { order: 'MD-1' } }]);
    expect(t.done).toBe(true);
  });

  it('survey: asks on a CSAT or CES scale, refuses out-of-range scores, may be skipped', () => {
    const f = flowOf({ a: { type: 'survey', scale: 'ces', save: 's', next: 'b' }, b: { type: 'end', text: '{{vars.s}}' } }, { s: 'number' });
    const r = createFlowRunner(f, env());
    const t = r.start();
    expect(t.actions).toEqual([{ type: 'survey', scale: 'ces' }]);
    expect(t.wait).toMatchObject({ kind: 'survey', scale: 'ces' });
    expect(r.reply({ type: 'survey', score: 8 }).wait?.kind).toBe('survey');
    expect(texts(r.reply({ type: 'survey', score: 7 }))).toEqual(['7']);
    const skip = createFlowRunner(f, env());
    skip.start();
    expect(skip.reply({ type: 'text', value: 'no thanks' }).done).toBe(true);
  });

  it('survey: NPS runs from 0 to 10', () => {
    const f = flowOf({ a: { type: 'survey', scale: 'nps', save: 's', next: 'b' }, b: { type: 'end', text: 'score {{vars.s}}' } }, { s: 'number' });
    const r = createFlowRunner(f, env());
    expect(r.start().wait).toMatchObject({ kind: 'survey', scale: 'nps' });
    expect(r.reply({ type: 'survey', score: 11 }).wait?.kind).toBe('survey');
    expect(texts(r.reply({ type: 'survey', score: 0 }))).toEqual(['score 0']);
  });

  it('input: saves the NFKC form it checked, so later patterns and lookups see the same text', () => {
    const f = flowOf(
      {
        a: { type: 'input', input: 'text', text: 'Order?', pattern: '^MD-\\d+$', save: 'order', next: 'c', exhausted: 'c' },
        c: { type: 'condition', when: { var: 'vars.order', matches: '^MD-12$' }, then: 'yes', else: 'no' },
        yes: { type: 'end', text: 'found {{vars.order}}' },
        no: { type: 'end', text: 'no' },
      },
      { order: 'string' },
    );
    const r = createFlowRunner(f, env());
    r.start();
    expect(texts(r.reply({ type: 'text', value: ' ＭＤ－１２ ' }))).toEqual(['found MD\\-12']);
    expect(r.state.vars.order).toBe('MD-12');
  });

  it('handoff: tags given as one string reach the handoff as a list', () => {
    const f = flowOf({ h: { type: 'handoff', hints: { tags: 'billing', reason: 'r' } } }, {}, 'h');
    expect(createFlowRunner(f, env()).start().actions).toEqual([{ type: 'handoff', hints: { tags: ['billing'], reason: 'r' }, answers: {} }]);
  });

  it('starts with the values the host passes for declared variables of the right type', () => {
    const f = flowOf({ a: { type: 'end', text: '{{vars.order}} {{vars.n}}' } }, { order: 'string', n: { type: 'number', default: 1 } });
    const r = createFlowRunner(f, env({ vars: { order: 'MD-9', n: 'two', other: true } }));
    expect(texts(r.start())).toEqual(['MD\\-9 1']);
  });

  it('request: asks the host, saves typed parts of the answer, and takes ok, error or timeout', () => {
    const f = flowOf(
      {
        a: { type: 'request', handler: 'order', body: { id: '{{vars.order}}', fixed: 2 }, timeoutMs: 3000, save: { status: 'order.status', items: 'order.items' }, ok: 'ok', error: 'bad', timeout: 'late' },
        ok: { type: 'end', text: 'Order is {{vars.status}} ({{vars.items}})' },
        bad: { type: 'end', text: 'Could not look it up.' },
        late: { type: 'end', text: 'Too slow.' },
      },
      { order: 'string', status: 'string', items: 'list' },
    );
    const start = () => {
      const r = createFlowRunner(f, env({ vars: { order: 'MD 1' } }));
      const t = r.start();
      expect(t.actions).toEqual([{ type: 'request', node: 'a', handler: 'order', method: 'GET', timeoutMs: 3000, body: { id: 'MD 1', fixed: 2 } }]);
      expect(t.wait).toMatchObject({ kind: 'request', handler: 'order' });
      return r;
    };
    let r = start();
    expect(r.reply({ type: 'text', value: 'hello?' }).wait?.kind).toBe('request');
    expect(texts(r.reply({ type: 'request-result', status: 'ok', data: { order: { status: 'shipped', items: ['a', 'b'] } } }))).toEqual(['Order is shipped (a, b)']);
    r = start();
    expect(texts(r.reply({ type: 'request-result', status: 'ok', data: { order: { status: 3, items: [] } } }))).toEqual(['Could not look it up.']);
    expect(r.state.vars.status).toBeUndefined();
    r = start();
    expect(texts(r.reply({ type: 'request-result', status: 'timeout' }))).toEqual(['Too slow.']);
    // After a reload the request is asked again.
    r = start();
    expect(createFlowRunner(f, env(), r.state).start().actions).toMatchObject([{ type: 'request', node: 'a' }]);
  });

  it('request: fills an endpoint URL with URL-encoded values', () => {
    const f = flowOf({ a: { type: 'request', url: '/api/orders/{{vars.order}}?x=1', ok: 'z', error: 'z', timeout: 'z' }, z: { type: 'end' } }, { order: 'string' });
    expect(createFlowRunner(f, env({ vars: { order: 'a/b ?' } })).start().wait).toMatchObject({ kind: 'request', url: '/api/orders/a%2Fb%20%3F?x=1', method: 'GET', timeoutMs: 8000 });
  });

  it('matching: a turn takes at most FLOW_LIMITS.matchSteps steps across all its patterns; past them a pattern does not match and the turn says where', () => {
    // A sub-flow whose patterns are nearly as large as one flow may have, called four times in one turn.
    const check = validateFlow({
      id: 'check',
      version: 1,
      start: 'c',
      variables: { text: 'string' },
      nodes: { c: { type: 'condition', when: { any: [{ var: 'vars.text', matches: '[^x]{0,150}b' }, { var: 'vars.text', matches: '[^x]{0,150}x' }] }, then: 'e', else: 'e' }, e: { type: 'end' } },
    }).flow!;
    const f = flowOf(
      {
        a: { type: 'input', input: 'text', text: 'Say', save: 'text', next: 'c1', exhausted: 'done' },
        c1: { type: 'flow', flow: 'check', in: { text: 'vars.text' }, next: 'c2' },
        c2: { type: 'flow', flow: 'check', in: { text: 'vars.text' }, next: 'c3' },
        c3: { type: 'flow', flow: 'check', in: { text: 'vars.text' }, next: 'yes' },
        yes: { type: 'condition', when: { var: 'vars.text', matches: 'b$' }, then: 'matched', else: 'done' },
        matched: { type: 'end', text: 'matched' },
        done: { type: 'end', text: 'no match' },
      },
      { text: 'string' },
    );
    const runner = createFlowRunner(f, env({ flows: { check } }));
    runner.start();
    const took = performance.now();
    // 1000 characters that no class leaves out: every repeat of every pattern stays alive to the end.
    const turn = runner.reply({ type: 'text', value: '\u0378'.repeat(999) + 'b' });
    expect(performance.now() - took).toBeLessThan(1000);
    expect(turn.error).toBe(`Flow "check": patterns took over ${FLOW_LIMITS.matchSteps} steps this turn (the limit) at "c" when.any[0].matches; from there none matched.`);
    // The last pattern would match, but the turn has no steps left for it.
    expect(texts(turn)).toEqual(['no match']);
    // The next turn has its own steps.
    const again = createFlowRunner(f, env({ flows: { check } }));
    again.start();
    expect(texts(again.reply({ type: 'text', value: 'ab' }))).toEqual(['matched']);
  });

  it('matching: an input\'s pattern takes its steps from the turn too', () => {
    const node = { type: 'input', input: 'text', text: 'x', save: 'v', pattern: '[^x]{0,100}b', next: 'b', exhausted: 'b' } as const;
    const budget = { left: 5000 };
    expect(readFlowAnswer(node as never, '\u0378'.repeat(200) + 'b', budget, '"ask" pattern')).toBeUndefined();
    expect(budget).toMatchObject({ at: '"ask" pattern' });
    expect(readFlowAnswer(node as never, '\u0378'.repeat(200) + 'b')).toBe('\u0378'.repeat(200) + 'b');
  });

  it('flow: runs a sub-flow with its own variables, hands values in and out, and resumes inside it', () => {
    const sub = validateFlow({
      id: 'ask-email',
      version: 1,
      start: 'q',
      variables: { hint: 'string', email: 'string' },
      nodes: {
        q: { type: 'input', input: 'email', text: 'E-mail for {{vars.hint}}?', save: 'email', next: 'bye', exhausted: 'bye' },
        bye: { type: 'end', text: 'Thanks.' },
      },
    }).flow!;
    const f = flowOf(
      {
        a: { type: 'flow', flow: 'ask-email', in: { hint: 'vars.order' }, out: { mail: 'email' }, next: 'b' },
        b: { type: 'handoff', text: 'Back with {{vars.mail}} for {{vars.order}}' },
      },
      { order: 'string', mail: 'string' },
    );
    const e = env({ flows: { 'ask-email': sub }, vars: { order: 'MD-1' } });
    const r = createFlowRunner(f, e);
    expect(texts(r.start())).toEqual(['E-mail for MD\\-1?']);
    expect(r.state.calls).toEqual([{ flow: 'ask-email', from: 'a', vars: { order: 'MD-1' } }]);
    const resumed = createFlowRunner(f, e, JSON.parse(JSON.stringify(r.state)));
    expect(resumed.restarted).toBe(false);
    expect(resumed.start().wait).toMatchObject({ kind: 'input', node: 'q' });
    const t = resumed.reply({ type: 'text', value: 'a@b.co' });
    expect(texts(t)).toEqual(['Thanks.', 'Back with a@b\\.co for MD\\-1']);
    expect(t.actions).toMatchObject([{ type: 'handoff', answers: { order: 'MD-1', mail: 'a@b.co' } }]);
    expect(t.done).toBe(true);
    // Without the sub-flow loaded the call is skipped with an error, and a saved state inside it restarts.
    const alone = createFlowRunner(f, env({ vars: { order: 'MD-1' } }));
    expect(alone.start().error).toMatch(/calls "ask-email", which is not loaded/);
    expect(createFlowRunner(f, env(), r.state).restarted).toBe(true);
  });

  it('condition: compares dates with withinDays and checks office hours in a time zone', () => {
    const f = flowOf(
      {
        a: { type: 'condition', when: { var: 'vars.bought', withinDays: 30 }, then: 'b', else: 'late' },
        b: { type: 'condition', when: { var: 'now', hours: { zone: 'Asia/Tokyo', days: ['mon', 'tue', 'wed', 'thu', 'fri'], from: '09:00', to: '18:00' } }, then: 'open', else: 'closed' },
        late: { type: 'end', text: 'late' },
        open: { type: 'end', text: 'open' },
        closed: { type: 'end', text: 'closed' },
      },
      { bought: 'string' },
    );
    const at = (iso: string, bought: string) => texts(createFlowRunner(f, env({ now: () => Date.parse(iso), vars: { bought } })).start());
    // Monday 2026-11-30 10:00 in Tokyo is 01:00 UTC.
    expect(at('2026-11-30T01:00:00Z', '2026-11-01')).toEqual(['open']);
    expect(at('2026-11-30T01:00:00Z', '2026-10-30')).toEqual(['late']);
    expect(at('2026-11-30T01:00:00Z', 'not a date')).toEqual(['late']);
    expect(at('2026-11-30T09:00:00Z', '2026-11-29T23:00:00+09:00')).toEqual(['closed']);
    expect(at('2026-11-29T01:00:00Z', '2026-11-29')).toEqual(['closed']);
    expect(at('2026-11-30T08:59:00Z', '2026-11-29')).toEqual(['open']);
  });

  it('delay: waits for the timer, and a restored state waits only for the rest', () => {
    let now = 1000;
    const f = flowOf({ a: { type: 'delay', ms: 3000, next: 'b' }, b: { type: 'end', text: 'later' } });
    const r = createFlowRunner(f, env({ now: () => now }));
    expect(r.start().wait).toMatchObject({ kind: 'delay', ms: 3000 });
    now = 2500;
    const again = createFlowRunner(f, env({ now: () => now }), r.state);
    expect(again.start().wait).toMatchObject({ kind: 'delay', ms: 1500 });
    expect(texts(again.reply({ type: 'timer' }))).toEqual(['later']);
  });

  it('split: stable per user, spread across users', () => {
    const f = flowOf({
      a: { type: 'split', branches: [{ percent: 50, next: 'x' }, { percent: 50, next: 'y' }] },
      x: { type: 'end', text: 'A' },
      y: { type: 'end', text: 'B' },
    });
    const seen = new Set<string>();
    for (let i = 0; i < 40; i++) {
      const key = `user-${i}`;
      const first = texts(createFlowRunner(f, env({ bucketKey: key })).start())[0];
      expect(texts(createFlowRunner(f, env({ bucketKey: key })).start())[0]).toBe(first);
      seen.add(first);
    }
    expect([...seen].sort()).toEqual(['A', 'B']);
  });

  it('callback: passes named data to the host', () => {
    const f = flowOf({ a: { type: 'callback', name: 'openForm', data: { who: '{{user.name}}', n: 2 }, next: 'b' }, b: { type: 'end' } });
    expect(createFlowRunner(f, env()).start().actions).toEqual([{ type: 'callback', name: 'openForm', data: { who: 'Aiko', n: 2 } }]);
  });

  it('allowHuman: true by default, false when the node opts out', () => {
    const f = flowOf({ a: { type: 'choice', allowHuman: false, options: [{ id: 'x', label: 'X', next: 'b' }] }, b: { type: 'end' } });
    expect(createFlowRunner(f, env()).start().wait?.allowHuman).toBe(false);
  });

  it('resumes at the same node from saved state, even after a harmless edit', () => {
    const nodes = {
      a: { type: 'message', text: 'Hello', next: 'b' },
      b: { type: 'input', input: 'text', text: 'Name?', save: 'name', next: 'c', exhausted: 'c' },
      c: { type: 'end', text: 'Bye {{vars.name}}' },
    };
    const f = flowOf(nodes, { name: 'string' });
    const r = createFlowRunner(f, env());
    r.start();
    const saved = JSON.parse(JSON.stringify(r.state));
    const back = createFlowRunner(f, env(), saved);
    expect(back.restarted).toBe(false);
    const t = back.start();
    expect(texts(t)).toEqual([]);
    expect(t.wait).toMatchObject({ node: 'b', kind: 'input' });
    expect(texts(back.reply({ type: 'text', value: 'Ken' }))).toEqual(['Bye Ken']);

    const edited = flowOf({ ...nodes, a: { type: 'message', text: 'Hello again', next: 'b' } }, { name: 'string' });
    const kept = createFlowRunner(edited, env(), saved);
    expect(kept.restarted).toBe(false);
    expect(kept.start().wait?.node).toBe('b');
  });

  it('restarts politely when the flow changed under the saved state', () => {
    const f = flowOf({ a: { type: 'input', input: 'text', text: 'Name?', save: 'name', next: 'b', exhausted: 'b' }, b: { type: 'end' } }, { name: 'string' });
    const r = createFlowRunner(f, env());
    r.start();
    const changed = flowOf({ a: { type: 'input', input: 'email', text: 'E-mail?', save: 'name', next: 'b', exhausted: 'b' }, b: { type: 'end' } }, { name: 'string' });
    const again = createFlowRunner(changed, env(), r.state);
    expect(again.restarted).toBe(true);
    expect(texts(again.start())).toEqual(['This conversation was updated, so we are starting again.', 'E-mail?']);
    expect(createFlowRunner(f, env(), { junk: true } as never).restarted).toBe(true);
  });

  it('is deterministic: same inputs and seed, same transcript', () => {
    const f = flowOf({
      a: { type: 'split', branches: [{ percent: 30, next: 'x' }, { percent: 70, next: 'y' }] },
      x: { type: 'choice', text: 'X', options: [{ id: 'o', label: 'O', next: 'z' }] },
      y: { type: 'choice', text: 'Y', options: [{ id: 'o', label: 'O', next: 'z' }] },
      z: { type: 'end', text: 'done' },
    });
    const play = () => {
      const r = createFlowRunner(f, env({ bucketKey: '', seed: 99 }));
      return [r.start(), r.reply({ type: 'choice', id: 'o' }), r.state];
    };
    expect(play()).toEqual(play());
  });

  it('stops a runaway flow with the step guard', () => {
    // A valid flow cannot loop without waiting, so hand the runner an unchecked one.
    const loop = { id: 'l', version: 1, start: 'a', nodes: { a: { type: 'goto', target: 'b' }, b: { type: 'goto', target: 'a' } } } as Flow;
    expect(validateFlow(loop).errors.length).toBeGreaterThan(0);
    const t = createFlowRunner(loop, env()).start();
    expect(t.done).toBe(true);
    expect(t.error).toContain(`${FLOW_MAX_STEPS} nodes`);
  });
});
