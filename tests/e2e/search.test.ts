import type { Browser, Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { newContext, openWidget, withChromiumAndDemo, watchErrors, type Demo } from './support';

let browser: Browser;
let demo: Demo;

withChromiumAndDemo({ relay: false }, (b, d) => ([browser, demo] = [b, d]));

/** The demo page with the widget open, its insights events collected in `window.events`. */
async function openDemo(lang?: 'ja') {
  const context = await newContext(browser);
  const page = await context.newPage();
  const errors = watchErrors(page);
  await page.goto(demo.url + '?transport=loopback' + (lang ? '&lang=ja' : ''));
  await page.evaluate(() => {
    const w = window as any;
    w.events = [];
    w.Madoguchi('on', 'event', (e: { type: string }) => w.events.push(e));
  });
  await openWidget(page, lang ? 'サポートを開く' : 'Open support');
  return { context, page, errors };
}

const events = (page: Page, type: string) =>
  page.evaluate((t) => (window as any).events.filter((e: { type: string }) => e.type === t).map(({ at, conversationId, visitorId, ...e }: any) => e), type);

/** The aria-label or text of what has focus inside the widget. */
const focused = (page: Page) =>
  page.evaluate(() => {
    const el = document.querySelector('madoguchi-widget')?.shadowRoot?.activeElement;
    return el ? el.getAttribute('aria-label') || el.textContent : null;
  });

describe('the help centre in the widget', () => {
  it('suggests as the user types; the keyboard opens an article, Back returns to the conversation, Yes is recorded', async () => {
    const { context, page, errors } = await openDemo();
    const box = page.getByRole('textbox', { name: 'Message' });
    await box.pressSequentially('forgot passw');
    const list = page.getByRole('listbox', { name: 'Suggested articles' });
    await list.waitFor();
    await expect(list.getByRole('option').first().textContent()).resolves.toContain('I forgot my password');
    await box.press('ArrowDown');
    await expect(list.getByRole('option').first().getAttribute('aria-selected')).resolves.toBe('true');
    await box.press('Enter');
    await page.getByRole('heading', { name: 'I forgot my password' }).waitFor();
    await expect.poll(() => focused(page)).toBe('I forgot my password');
    expect(await events(page, 'article.viewed')).toEqual([{ type: 'article.viewed', articleId: 'password-reset' }]);
    expect(await events(page, 'search.made')).toEqual([{ type: 'search.made', query: 'forgot passw', resultCount: 1 }]);

    await page.getByRole('button', { name: 'Yes', exact: true }).click();
    await page.getByText('Thanks for letting us know.').waitFor();
    await expect.poll(() => events(page, 'article.feedback')).toEqual([{ type: 'article.feedback', articleId: 'password-reset', helpful: true }]);

    await page.getByRole('button', { name: 'Back', exact: true }).click();
    await page.getByRole('log', { name: 'Conversation' }).waitFor();
    await expect(page.getByRole('heading', { name: 'I forgot my password' }).count()).resolves.toBe(0);
    await expect.poll(() => focused(page)).toBe('Message');
    expect(await box.inputValue()).toBe('forgot passw');
    expect(errors).toEqual([]);
    await context.close();
  });

  it('suggests in Japanese, and "No" offers the next step without a second way to a person', async () => {
    const { context, page, errors } = await openDemo('ja');
    const box = page.getByRole('textbox', { name: 'メッセージ' });
    await box.pressSequentially('返品');
    const option = page.getByRole('listbox', { name: 'おすすめの記事' }).getByRole('option').first();
    await expect.poll(() => option.textContent()).toContain('商品を返品したい');
    await option.click();
    await page.getByRole('heading', { name: '商品を返品したい' }).waitFor();
    await expect(page.getByRole('link', { name: 'ヘルプセンターで開く' }).getAttribute('href')).resolves.toBe('https://help.acme.example/ja/returns');
    await page.getByRole('button', { name: 'いいえ', exact: true }).click();
    await page.getByText(/「担当者と話す」をお選びください/).first().waitFor();
    await expect(page.getByRole('button', { name: '担当者と話す' }).count()).resolves.toBe(1);
    await expect.poll(() => events(page, 'article.feedback')).toEqual([{ type: 'article.feedback', articleId: 'return-policy', helpful: false }]);
    await page.getByRole('button', { name: '戻る', exact: true }).click();
    // The bot also says the next step in the conversation.
    await page.getByRole('log').getByText(/お役に立てず申し訳ありません/).waitFor();
    expect(errors).toEqual([]);
    await context.close();
  });

  it('answers a sent question with article cards in its message that open the article view', async () => {
    const { context, page, errors } = await openDemo();
    const box = page.getByRole('textbox', { name: 'Message' });
    await box.fill('How do I cancel my subscription?');
    await box.press('Enter');
    const log = page.getByRole('log', { name: 'Conversation' });
    await log.getByText('These articles may help:').waitFor();
    // The cards are part of the bot's message in the thread.
    const answers = log.getByRole('list', { name: 'Suggested articles' });
    await answers.getByRole('button', { name: 'How do I cancel my subscription?' }).click();
    await page.getByRole('heading', { name: 'How do I cancel my subscription?' }).waitFor();
    await expect.poll(() => events(page, 'search.made')).toEqual([{ type: 'search.made', query: 'How do I cancel my subscription?', resultCount: 1 }]);
    expect(await events(page, 'article.viewed')).toEqual([{ type: 'article.viewed', articleId: 'billing-cancel' }]);
    expect(errors).toEqual([]);
    await context.close();
  });

  it('Escape clears the suggestions first and closes the panel only the second time', async () => {
    const { context, page } = await openDemo();
    const box = page.getByRole('textbox', { name: 'Message' });
    await box.pressSequentially('refund');
    await page.getByRole('listbox').waitFor();
    await box.press('Escape');
    await expect.poll(() => page.getByRole('listbox').count()).toBe(0);
    await expect(page.getByRole('dialog').isVisible()).resolves.toBe(true);
    await box.press('Escape');
    await expect.poll(() => page.getByRole('dialog').count()).toBe(0);
    await context.close();
  });
});
