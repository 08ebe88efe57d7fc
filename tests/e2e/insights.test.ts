import type { Browser, Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { newContext, withChromiumAndDemo, watchErrors, type Demo } from './support';

let browser: Browser;
let demo: Demo;

withChromiumAndDemo({ relay: false }, (b, d) => ([browser, demo] = [b, d]));

/**
 * A product page of the host whose boot config has a proactive rule one second after arrival, the
 * analytics sink, and a transport the test drives: `window.line` is the adapter's sink.
 */
const PAGE = `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Router X</title><link rel="icon" href="data:,">
<script>
  window.Madoguchi = window.Madoguchi || function () { (Madoguchi.q = Madoguchi.q || []).push(arguments) };
  var adapter = {
    connect: function (session, sink) { window.line = sink; sink.status({ type: 'online', online: true }); },
    send: function () { return Promise.resolve(); },
    handoff: function () { return Promise.resolve(); },
    close: function () {}
  };
  Madoguchi('boot', {
    appId: 'insights-e2e', locale: 'en', storage: 'always', transport: adapter,
    proactive: { rules: [{ id: 'router-help', url: '/products/*', afterSeconds: 1, message: 'Questions about **Router X**? Ask here.' }] },
    analytics: { url: '/relay/events' }
  });
</script>
<script async src="/madoguchi/loader.js"></script>
</head><body><h1>Router X</h1><label>Search the store <input id="host-search"></label></body></html>`;

/** Serves the page above and records every batch the analytics sink posts. */
async function productPage(page: Page) {
  const events: Array<Record<string, any>> = [];
  await page.route(demo.url + 'products/router-x', (route) => route.fulfill({ contentType: 'text/html', body: PAGE }));
  await page.route(demo.url + 'relay/events', async (route) => {
    for (const line of (route.request().postData() || '').split('\n')) if (line.trim()) events.push(JSON.parse(line));
    await route.fulfill({ status: 204 });
  });
  return events;
}

const shadow = (page: Page, selector: string) =>
  page.evaluate((s) => document.querySelector('madoguchi-widget')?.shadowRoot?.querySelector(s)?.textContent ?? null, selector);

describe('proactive help, the survey and the event stream', () => {
  it('previews a message after a second on the page without taking focus, then asks for feedback when the conversation closes', async () => {
    const context = await newContext(browser);
    const page = await context.newPage();
    const errors = watchErrors(page);
    const events = await productPage(page);
    await page.goto(demo.url + 'products/router-x');
    const search = page.getByRole('textbox', { name: 'Search the store' });
    await search.click();
    await page.keyboard.type('mesh');

    // The preview and the unread badge appear; the visitor keeps typing where they were.
    const preview = page.getByRole('button', { name: 'Questions about Router X? Ask here.' });
    await preview.waitFor({ timeout: 5000 });
    expect(await page.getByRole('status').filter({ has: preview }).count()).toBe(1);
    expect(await shadow(page, '.badge')).toBe('1');
    expect(await page.evaluate(() => document.activeElement?.id)).toBe('host-search');
    await page.keyboard.type(' router');
    expect(await search.inputValue()).toBe('mesh router');
    expect(await page.getByRole('dialog').count()).toBe(0);

    // Clicking it opens the panel on the message.
    await preview.click();
    const dialog = page.getByRole('dialog', { name: 'Support' });
    await dialog.waitFor();
    await dialog.getByText('Router X').waitFor();
    expect(await shadow(page, '.badge')).toBeNull();

    // An agent closes the conversation: CSAT, then effort, then a comment.
    await page.waitForFunction(() => (window as any).line);
    await page.evaluate(() => (window as any).line.status({ type: 'closed' }));
    await dialog.getByRole('group', { name: 'How satisfied are you with the help you got?' }).waitFor();
    await dialog.getByRole('button', { name: '5 — Very satisfied' }).click();
    await dialog.getByRole('button', { name: '6 — Easy' }).click();
    await dialog.getByRole('textbox', { name: 'Comment' }).fill('Quick answer, thank you');
    await dialog.getByRole('button', { name: 'Submit feedback' }).click();
    await dialog.getByText('Thanks for letting us know.').waitFor();

    // Everything reached the local sink (it sends a batch every few seconds).
    const types = () => events.map((e) => e.type);
    await expect.poll(types, { timeout: 10_000 }).toContain('survey.answered');
    expect(types()).toEqual(expect.arrayContaining(['proactive.shown', 'proactive.clicked', 'widget.opened', 'conversation.closed']));
    expect(events.filter((e) => e.type === 'proactive.shown')).toMatchObject([{ ruleId: 'router-help', visitorId: expect.any(String) }]);
    await expect.poll(() => events.filter((e) => e.type === 'survey.answered').length, { timeout: 10_000 }).toBe(2);
    expect(events.filter((e) => e.type === 'survey.answered').map(({ kind, score, scaled, comment }) => ({ kind, score, scaled, comment }))).toEqual([
      { kind: 'csat', score: 5, scaled: 100, comment: undefined },
      { kind: 'ces', score: 6, scaled: 83, comment: 'Quick answer, thank you' },
    ]);

    // Asked once per conversation: another "closed" does not ask again.
    await page.waitForFunction(() => (window as any).line);
    await page.evaluate(() => (window as any).line.status({ type: 'closed' }));
    await page.waitForTimeout(200);
    expect(await dialog.getByRole('button', { name: 'Skip' }).count()).toBe(0);
    expect(errors).toEqual([]);
    await context.close();
  });

  it('can dismiss the preview, and the survey can be skipped with nothing sent for it', async () => {
    const context = await newContext(browser);
    const page = await context.newPage();
    const events = await productPage(page);
    await page.goto(demo.url + 'products/router-x');
    await page.getByRole('button', { name: 'Dismiss' }).click({ timeout: 5000 });
    expect(await page.getByRole('button', { name: /Router X/ }).count()).toBe(0);
    expect(await page.getByRole('dialog').count()).toBe(0);

    await page.getByRole('button', { name: 'Open support', exact: true }).click();
    // The line comes up with the first open.
    await page.waitForFunction(() => (window as any).line);
    await page.evaluate(() => (window as any).line.status({ type: 'closed' }));
    await page.getByRole('button', { name: 'Skip' }).click();
    await expect.poll(() => events.map((e) => e.type), { timeout: 10_000 }).toContain('conversation.closed');
    expect(events.filter((e) => e.type === 'survey.answered' || e.type === 'proactive.clicked')).toEqual([]);
    await context.close();
  });
});
