import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
// @ts-expect-error plain JavaScript module without types
import { startDemoServer } from '../../scripts/demo-server.mjs';
import { createRequire } from 'node:module';
import { agentOnline, launchChromium, newContext } from './support';

const AXE = createRequire(import.meta.url).resolve('axe-core/axe.min.js');

interface RelayDemo {
  url: string;
  agentUrl: string;
  newAgentUrl(): Promise<string>;
  close(): Promise<void>;
}

const WORDS = {
  en: {
    open: 'Open support',
    dialog: 'Support',
    message: 'Message',
    send: 'Send',
    human: 'Talk to a person',
    thread: 'Conversation',
    ack: 'Thanks, we have your message.',
    reply: 'A person usually replies within a day.',
    offer: 'To reach someone now, choose “Talk to a person”.',
    answerable: 'How do I set up my hub for the first time?',
    article: 'Set up your Acme Hub for the first time',
    unanswerable: 'Penguins or zebras?',
    asked: 'You asked to talk to a person.',
    next: "You're next in line.",
    joined: 'Sam joined the conversation.',
    closed: 'This conversation has ended.',
    sent: 'Sent',
    unreachable: "Can't reach support right now. Your messages will be sent when the connection returns.",
    retry: 'Try again',
    replyFrom: 'New reply from Sam',
    dismiss: 'Dismiss',
    replyTime: 'within a day',
    csatLow: '1 — Very dissatisfied',
    csatHigh: '5 — Very satisfied',
    close: 'Close support',
    title: 'Acme help',
    lost: 'Your earlier conversation could not be continued, so this is a new one. The earlier one is under Earlier conversations.',
  },
  ja: {
    open: 'サポートを開く',
    dialog: 'サポート',
    message: 'メッセージ',
    send: '送信',
    human: '担当者と話す',
    thread: '会話',
    ack: 'メッセージを受け付けました。',
    reply: '担当者から通常1営業日以内にお返事します。',
    offer: 'すぐに相談したい場合は「担当者と話す」をお選びください。',
    answerable: 'ハブの初期設定の方法を教えてください',
    article: '',
    unanswerable: 'ペンギンの歌を歌ってくれますか',
    asked: '担当者との会話をご希望されました。',
    next: '次にご案内します。',
    joined: 'Samが会話に参加しました。',
    closed: 'この会話は終了しました。',
    sent: '送信済み',
    unreachable: 'ただいまサポートに接続できません。接続が戻り次第、メッセージを送信します。',
    retry: '再試行',
    replyFrom: 'Samから新しい返信',
    dismiss: '閉じる',
    replyTime: '1営業日以内',
    csatLow: '1 — とても不満',
    csatHigh: '5 — とても満足',
    close: 'サポートを閉じる',
    title: 'Acme ヘルプ',
    lost: '以前の会話を続けられなかったため、新しい会話を始めました。以前の会話は「以前の会話」からご覧いただけます。',
  },
};

const DEVICES = {
  desktop: { viewport: { width: 1280, height: 800 } },
  phone: { viewport: { width: 390, height: 844 }, hasTouch: true, isMobile: true },
};
const VARIANTS = (['en', 'ja'] as const).flatMap((lang) => (['desktop', 'phone'] as const).map((device) => ({ lang, device })));

let browser: Browser;
const running = new Set<RelayDemo>();
const contexts: BrowserContext[] = [];

beforeAll(async () => {
  browser = await launchChromium();
});
afterEach(async () => {
  for (const c of contexts.splice(0)) await c.close();
  for (const demo of [...running]) {
    running.delete(demo);
    await demo.close();
  }
});
afterAll(async () => {
  await browser?.close();
});

async function start(relayOptions: object = {}): Promise<RelayDemo> {
  // Every browser here is the same visitor on 127.0.0.1: the relay's per-IP and per-visitor caps are off.
  const limits = { conversationsPerIpPerMinute: 0, conversationsPerVisitorPerHour: 0, requestsPerIpPerSecond: 0, connectionsPerIp: 0 };
  const demo: RelayDemo = await startDemoServer({ port: 0, relayOptions: { limits, ...relayOptions } });
  running.add(demo);
  return demo;
}

async function context(device: keyof typeof DEVICES): Promise<BrowserContext> {
  const c = await newContext(browser, DEVICES[device]);
  contexts.push(c);
  return c;
}

/**
 * The demo page without its own widget, booted with `extra` config through the script tag, so a
 * test can set the fields a host would (replyTime, theme, launcher…).
 */
async function bootPage(page: Page, demo: RelayDemo, lang: 'en' | 'ja', extra: Record<string, unknown> = {}, path = '/') {
  await page.goto(`${demo.url.replace(/\/$/, '')}${path}?widget=off`);
  await page.evaluate(
    ({ lang, extra }) => {
      const w = window as any;
      w.Madoguchi = function () {
        (w.Madoguchi.q = w.Madoguchi.q || []).push(arguments);
      };
      w.madoguchiErrors = [];
      w.Madoguchi('on', 'error', (e: { message: string }) => w.madoguchiErrors.push(e.message));
      w.Madoguchi('boot', {
        appId: 'acme',
        locale: lang,
        user: { id: 'u-' + lang, name: 'Aiko', email: 'aiko@example.com' },
        faq: '/faq/' + lang + '.json',
        transport: { type: 'websocket', url: 'ws://' + location.host + '/relay/ws' },
        storage: 'always',
        replyTime: { en: 'within a day', ja: '1営業日以内' },
        ...extra,
      });
      const script = document.createElement('script');
      script.src = '/madoguchi/loader.js';
      document.head.append(script);
    },
    { lang, extra },
  );
}

/** Clicks on a desktop, taps on a touch phone. */
const press = (device: keyof typeof DEVICES, locator: ReturnType<Page['locator']>) => (device === 'phone' ? locator.tap() : locator.click());

/** The element focused inside the widget's shadow root (or the page's, outside it). */
const focused = (page: Page) =>
  page.evaluate(() => {
    const inner = document.querySelector('madoguchi-widget')?.shadowRoot?.activeElement;
    return inner ? inner.getAttribute('aria-label') || inner.tagName : document.activeElement?.tagName;
  });

describe.each(VARIANTS)('the conversation in $lang on $device', ({ lang, device }) => {
  const w = WORDS[lang];

  it('answers every message (article cards or an acknowledgment), keeps focus in the box, and restores the story after a reload', async () => {
    const demo = await start();
    const page = await (await context(device)).newPage();
    await bootPage(page, demo, lang);
    await press(device, page.getByRole('button', { name: w.open, exact: true }));
    const dialog = page.getByRole('dialog', { name: w.dialog });
    const log = dialog.getByRole('log', { name: w.thread });
    const box = page.getByRole('textbox', { name: w.message });

    // A question the help centre answers: the bot message itself carries the article cards.
    await box.fill(w.answerable);
    await press(device, page.getByRole('button', { name: w.send, exact: true }));
    expect(await focused(page)).toBe(w.message);
    const cards = log.getByRole('list').getByRole('listitem').filter({ has: page.locator('.cards') });
    await cards.first().waitFor();
    const titles = await cards.first().locator('.card').allInnerTexts();
    expect(titles.length).toBeGreaterThan(0);
    if (w.article) expect(titles).toContain(w.article);

    // One the help centre cannot answer: an acknowledgment with the configured reply time and the way to a person.
    await box.fill(w.unanswerable);
    await box.press('Enter');
    expect(await focused(page)).toBe(w.message);
    await log.getByText(w.ack, { exact: false }).waitFor();
    await log.getByText(w.reply, { exact: false }).waitFor();
    await log.getByText(w.offer, { exact: false }).waitFor();
    await dialog.getByRole('button', { name: w.human }).waitFor();

    // Author, time and delivery state on the messages.
    await log.getByText(w.sent).first().waitFor();
    const times = await log.locator('time[datetime]').evaluateAll((els) => els.map((e) => e.getAttribute('datetime')));
    expect(times.length).toBeGreaterThan(2);
    for (const t of times) expect(Number.isNaN(Date.parse(t!))).toBe(false);
    await log.locator('.avatar').first().waitFor();

    // Escape still closes the panel (focus was never lost to the page).
    await page.keyboard.press('Escape');
    await dialog.waitFor({ state: 'hidden' });

    // A reload: the cards and the acknowledgment are still in the thread.
    await bootPage(page, demo, lang);
    await press(device, page.getByRole('button', { name: w.open, exact: true }));
    await log.locator('.card').first().waitFor();
    expect(await log.locator('.card').allInnerTexts()).toEqual(expect.arrayContaining(titles));
    await log.getByText(w.reply, { exact: false }).waitFor();
  });

  it('tells the handoff in the thread, previews a reply while closed, and starts a new conversation after a close', async () => {
    const demo = await start();
    const agent = await agentOnline(browser, demo);
    contexts.push(agent.context());

    const page = await (await context(device)).newPage();
    await bootPage(page, demo, lang);
    await press(device, page.getByRole('button', { name: w.open, exact: true }));
    const dialog = page.getByRole('dialog', { name: w.dialog });
    const log = dialog.getByRole('log', { name: w.thread });
    await page.getByRole('textbox', { name: w.message }).fill('My router keeps dropping the connection');
    await press(device, page.getByRole('button', { name: w.send, exact: true }));
    await press(device, dialog.getByRole('button', { name: w.human }));
    await log.getByText(w.asked).waitFor();
    await log.getByText(w.next).waitFor();

    await agent.getByRole('list', { name: 'Conversations' }).getByRole('button', { name: /Aiko/ }).click();
    await agent.getByRole('button', { name: 'Accept' }).click();
    await log.getByText(w.joined).waitFor();
    const joinedAuthor = log.locator('.msg.system', { hasText: w.joined });
    expect(await joinedAuthor.count()).toBe(1);

    // The panel closed: a reply shows a short preview beside the launcher, in a live region.
    await page.keyboard.press('Escape');
    await dialog.waitFor({ state: 'hidden' });
    await agent.getByRole('textbox', { name: 'Reply' }).fill('Could you tell me the **firmware** version?');
    await agent.getByRole('button', { name: 'Send reply' }).click();
    const preview = page.getByRole('status').filter({ hasText: w.replyFrom });
    await preview.getByRole('button', { name: w.dismiss }).waitFor();
    expect(await preview.innerText()).toContain('Could you tell me the firmware version?');
    await press(device, preview.getByRole('button', { name: w.dismiss }));
    await preview.waitFor({ state: 'detached' });
    expect(await page.getByText(w.replyFrom).count()).toBe(0);

    await press(device, page.getByRole('button', { name: w.open, exact: true }));
    // Bold renders as bold, with the agent's name on the message.
    const bold = log.locator('.msg.agent strong', { hasText: 'firmware' });
    await bold.waitFor();
    expect(Number(await bold.evaluate((el) => getComputedStyle(el).fontWeight))).toBeGreaterThanOrEqual(700);
    await log.locator('.msg.agent .who', { hasText: 'Sam' }).waitFor();

    await agent.getByRole('button', { name: 'Close conversation' }).click();
    await log.getByText(w.closed).waitFor();
    // The feedback scale says what its ends mean.
    await dialog.getByText(w.csatLow).waitFor();
    await dialog.getByText(w.csatHigh).waitFor();

    // A new question starts a new conversation, which gets its own answer.
    await page.getByRole('textbox', { name: w.message }).fill(w.unanswerable);
    await press(device, page.getByRole('button', { name: w.send, exact: true }));
    await log.getByText(w.ack, { exact: false }).waitFor();
    expect(await log.getByText(w.joined).count()).toBe(0);
    expect(await log.getByText('My router keeps dropping the connection').count()).toBe(0);
  });

  it('says so calmly when the relay refuses the page, reports it, and keeps what was typed', async () => {
    const demo = await start({ allowedOrigins: ['https://shop.example'] });
    const page = await (await context(device)).newPage();
    const consoleErrors: string[] = [];
    page.on('console', (m) => m.type() === 'error' && consoleErrors.push(m.text()));
    await bootPage(page, demo, lang);
    await press(device, page.getByRole('button', { name: w.open, exact: true }));
    const dialog = page.getByRole('dialog', { name: w.dialog });
    await page.getByRole('textbox', { name: w.message }).fill('Hello, is anyone there?');
    await press(device, page.getByRole('button', { name: w.send, exact: true }));
    await dialog.getByText(w.unreachable).waitFor({ timeout: 15_000 });
    await dialog.getByRole('button', { name: w.retry }).waitFor();
    const errors: string[] = await page.evaluate(() => (window as any).madoguchiErrors);
    expect(errors.some((e) => e.includes('allowedOrigins') && e.includes(new URL(demo.url).origin))).toBe(true);
    expect(consoleErrors.some((e) => e.includes('[madoguchi]') && e.includes('allowedOrigins'))).toBe(true);
    // Nothing typed is lost: the message is in the thread, waiting.
    await dialog.getByRole('log').getByText('Hello, is anyone there?').waitFor();
    await press(device, dialog.getByRole('button', { name: w.retry }));
    await dialog.getByText(w.unreachable).waitFor({ state: 'detached' });
    await dialog.getByText(w.unreachable).waitFor({ timeout: 15_000 });
  });

  it('starts a new conversation, saying so, when the relay no longer accepts the stored one, and what is typed next is sent there', async () => {
    const demo = await start();
    const page = await (await context(device)).newPage();
    await bootPage(page, demo, lang);
    await press(device, page.getByRole('button', { name: w.open, exact: true }));
    const dialog = page.getByRole('dialog', { name: w.dialog });
    await page.getByRole('textbox', { name: w.message }).fill(w.unanswerable);
    await press(device, page.getByRole('button', { name: w.send, exact: true }));
    await dialog.getByText(w.sent).first().waitFor();
    // The conversation's token is lost (here replaced in storage, as a partial clear of site data would).
    await page.evaluate(
      () =>
        new Promise<void>((ok, fail) => {
          const open = indexedDB.open('madoguchi-acme');
          open.onerror = () => fail(open.error);
          open.onsuccess = () => {
            const tx = open.result.transaction('records', 'readwrite');
            const records = tx.objectStore('records');
            const read = records.get('s');
            read.onsuccess = () => records.put({ ...read.result, token: 'not-the-token' }, 's');
            tx.oncomplete = () => (open.result.close(), ok());
            tx.onerror = () => fail(tx.error);
          };
        }),
    );
    await bootPage(page, demo, lang);
    // The panel stays open across the page's own reload; the new conversation says what happened.
    await dialog.getByText(w.lost).waitFor({ timeout: 15_000 });
    await expect.poll(() => page.evaluate(() => (window as any).madoguchiErrors.join('\n'))).toContain('a new conversation starts');
    await page.getByRole('textbox', { name: w.message }).fill('Still there?');
    await press(device, page.getByRole('button', { name: w.send, exact: true }));
    await dialog.getByRole('listitem').filter({ hasText: 'Still there?' }).getByText(w.sent).waitFor({ timeout: 15_000 });
    expect(await dialog.getByText(w.unanswerable).count()).toBe(0);
  });
});

describe.each(VARIANTS)('attention and branding in $lang on $device', ({ lang, device }) => {
  const w = WORDS[lang];

  it('starts a new tab with the panel closed, while the unread count follows the other tab', async () => {
    const demo = await start();
    const ctx = await context(device);
    const first = await ctx.newPage();
    const loopback = { transport: { type: 'loopback', delay: 5, agentName: 'Echo' } };
    await bootPage(first, demo, lang, loopback);
    await press(device, first.getByRole('button', { name: w.open, exact: true }));
    await first.getByRole('dialog', { name: w.dialog }).waitFor();

    const second = await ctx.newPage();
    await bootPage(second, demo, lang, loopback);
    await second.getByRole('button', { name: w.open, exact: true }).waitFor();
    expect(await second.getByRole('dialog', { name: w.dialog }).isVisible()).toBe(false);
    // The first tab keeps its panel open across a reload of its own.
    await bootPage(first, demo, lang, loopback);
    await first.getByRole('dialog', { name: w.dialog }).waitFor();

    await first.getByRole('textbox', { name: w.message }).fill(w.unanswerable);
    await press(device, first.getByRole('button', { name: w.send, exact: true }));
    // The reply counts as unread in the tab whose panel is closed.
    await expect.poll(() => second.evaluate(() => document.querySelector('madoguchi-widget')?.shadowRoot?.querySelector('.badge')?.textContent || '')).not.toBe('');
  });

  it('takes a brand colour, a title, its own opener and offsets, and stays readable (axe)', async () => {
    const demo = await start();
    const page = await (await context(device)).newPage();
    await bootPage(page, demo, lang, {
      theme: { mode: 'light', accent: '#ffcc00' },
      title: { en: 'Acme help', ja: 'Acme ヘルプ' },
      launcher: false,
      offset: { x: 32, y: 40 },
    });
    await page.locator('madoguchi-widget').waitFor({ state: 'attached' });
    expect(await page.getByRole('button', { name: w.open, exact: true }).count()).toBe(0);
    // The host's own button opens the panel.
    await press(device, page.locator('#open-help'));
    const dialog = page.getByRole('dialog', { name: w.dialog });
    await dialog.waitFor();
    await dialog.getByRole('heading', { name: w.title }).waitFor();
    const human = dialog.getByRole('button', { name: w.human });
    await human.waitFor();
    // A yellow accent is shaded until its text reads at 4.5:1 on white.
    const ratio = await human.evaluate((el) => {
      const rgb = (c: string) => c.match(/\d+/g)!.slice(0, 3).map(Number);
      const lum = (c: number[]) =>
        c.map((v) => ((v /= 255) <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4)).reduce((s, v, i) => s + v * [0.2126, 0.7152, 0.0722][i], 0);
      const a = lum(rgb(getComputedStyle(el).color));
      return (1 + 0.05) / (a + 0.05);
    });
    expect(ratio).toBeGreaterThanOrEqual(4.5);
    if (device === 'desktop') {
      // Measured once the panel has finished fading in (it rises 8 px as it does).
      await page.evaluate(() => Promise.all((document.querySelector('madoguchi-widget')?.shadowRoot?.getAnimations() ?? []).map((a) => a.finished)));
      const box = (await dialog.boundingBox())!;
      expect(Math.abs(1280 - (box.x + box.width) - 32)).toBeLessThanOrEqual(1);
      expect(Math.abs(800 - (box.y + box.height) - 40)).toBeLessThanOrEqual(1);
    }
    await page.addScriptTag({ path: AXE });
    const serious: string[] = await page.evaluate(async () => {
      await new Promise(requestAnimationFrame);
      const root = document.querySelector('madoguchi-widget')?.shadowRoot;
      await Promise.all((root?.getAnimations() ?? []).map((a) => a.finished));
      const result = await (window as any).axe.run(document, { resultTypes: ['violations'] });
      return result.violations.filter((v: any) => v.impact === 'serious' || v.impact === 'critical').map((v: any) => v.id);
    });
    expect(serious).toEqual([]);
    // Escape hands the focus back to the host's own button.
    await page.keyboard.press('Escape');
    await dialog.waitFor({ state: 'hidden' });
    expect(await page.evaluate(() => document.activeElement?.id)).toBe('open-help');
  });
});

describe('a flow in the conversation', () => {
  it.each(['en', 'ja'] as const)("keeps the articles a flow's search found with its message after a reload (%s)", async (lang) => {
    const demo = await start();
    const page = await (await context('desktop')).newPage();
    const flows = ['/flows/device-setup.json'];
    await bootPage(page, demo, lang, { flows });
    await page.getByRole('button', { name: WORDS[lang].open, exact: true }).click();
    await page.evaluate(() => (window as any).Madoguchi('startFlow', 'device-setup'));
    const log = page.getByRole('dialog', { name: WORDS[lang].dialog }).getByRole('log', { name: WORDS[lang].thread });
    const found = lang === 'en' ? 'This article walks you through it step by step.' : 'こちらの記事で手順をご案内しています。';
    await log.getByText(lang === 'en' ? 'What are you trying to set up?' : 'どのような設定をお探しですか', { exact: false }).waitFor();
    const box = page.getByRole('textbox', { name: WORDS[lang].message });
    await box.fill(lang === 'en' ? 'connect the hub to Wi-Fi' : 'ハブをWi-Fiにつなぐ');
    await box.press('Enter');
    // The message that presents the articles carries them as cards.
    const presenting = log.getByRole('listitem').filter({ hasText: found });
    await presenting.locator('.card').first().waitFor();
    const titles = await presenting.locator('.card').allInnerTexts();
    expect(titles.length).toBeGreaterThan(0);

    // A reload: this tab's panel was open, so it opens again by itself.
    await bootPage(page, demo, lang, { flows });
    await presenting.locator('.card').first().waitFor();
    expect(await presenting.locator('.card').allInnerTexts()).toEqual(titles);
    // A card still opens its article.
    await presenting.locator('.card').first().click();
    await page.getByRole('heading', { name: titles[0] }).waitFor();
    expect(await page.evaluate(() => (window as any).madoguchiErrors)).toEqual([]);
  });
});
