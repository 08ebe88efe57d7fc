import type { Browser, Page } from 'playwright-core';
import { createRequire } from 'node:module';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
// @ts-expect-error plain JavaScript module without types
import { startDemoServer } from '../../scripts/demo-server.mjs';
import { cleanupSchemas, store } from '../../packages/relay/test/support';
import { launchChromium, newContext, openWidget, watchErrors } from './support';

const AXE = createRequire(import.meta.url).resolve('axe-core/axe.min.js');

interface RelayDemo {
  url: string;
  newAgentUrl(): Promise<string>;
  relayInstance: { saveAgent(name: string, password: string): Promise<void>; signInLink(agent: string): Promise<string> };
  close(): Promise<void>;
}

let browser: Browser;
let demo: RelayDemo;

beforeAll(async () => {
  [browser, demo] = await Promise.all([launchChromium(), startDemoServer({ port: 0, relayOptions: await store() })]);
  await demo.relayInstance.saveAgent('Mia', 'a long enough password');
});
afterAll(async () => {
  await browser?.close();
  await demo?.close();
  await cleanupSchemas();
});

/** A console signed in through a one-time link; desktop notifications it shows are recorded in `window.shown`. */
async function console_(name: string): Promise<Page> {
  const context = await newContext(browser);
  await context.grantPermissions(['notifications']);
  const page = await context.newPage();
  await page.addInitScript(() => {
    const shown: Array<{ title: string; body?: string }> = ((window as any).shown = []);
    const Real = window.Notification;
    class Recorded extends Real {
      constructor(title: string, options?: NotificationOptions) {
        super(title, options);
        shown.push({ title, body: options?.body });
      }
    }
    Object.defineProperty(window, 'Notification', { value: Recorded });
  });
  const origin = new URL(demo.url).origin;
  await page.goto(`${origin}/agent#signin=${await demo.relayInstance.signInLink(name)}`);
  await page.getByText(`Online as ${name}`).waitFor();
  return page;
}

/** A customer on the example page who asks a question, then for a person. */
async function customer(question: string, anon = true): Promise<Page> {
  const page = await (await newContext(browser)).newPage();
  await page.goto(demo.url + (anon ? '?user=anon' : ''));
  await openWidget(page);
  await page.getByRole('textbox', { name: 'Message' }).fill(question);
  await page.getByRole('button', { name: 'Send', exact: true }).click();
  await page.getByRole('button', { name: 'Talk to a person' }).click();
  return page;
}

const notifications = (page: Page) => page.evaluate(() => (window as any).shown as Array<{ title: string; body?: string }>);
const inbox = (page: Page) => page.getByRole('list', { name: 'Conversations' });
const group = (page: Page, name: string) => inbox(page).getByRole('list', { name: new RegExp(`^${name}`) });

describe('the agent console', () => {
  it('takes two agents and three customers through the inbox, notifications, replies, notes, transfer and live context', async () => {
    const sam = await console_('Sam');
    const mia = await console_('Mia');
    const errors = [...watchErrors(sam), ...watchErrors(mia)];
    await sam.getByRole('list', { name: 'Team' }).getByText('Mia: Online').waitFor();
    await sam.getByRole('checkbox', { name: 'Desktop notifications' }).check();
    await sam.getByRole('checkbox', { name: 'Sound' }).check();

    // Three customers wait; the oldest comes first, each with its last words and its wait.
    const aiko = await customer('How do I return my router? It is broken again', false);
    const aikoChat = aiko.getByRole('dialog', { name: 'Support' });
    await aikoChat.getByText("You're next in line.", { exact: false }).waitFor();
    const parcel = await customer('Where is my parcel?');
    const plan = await customer('Can I change my plan?');
    const waiting = group(sam, 'Waiting');
    await expect.poll(() => waiting.getByRole('button').count()).toBe(3);
    const rows = await waiting.getByRole('button').allInnerTexts();
    expect(rows[0]).toContain('Aiko');
    expect(rows[0]).toMatch(/waiting #1/);
    expect(rows[0]).toMatch(/waited (under a minute|\d+ min)/);
    expect(rows[0]).toContain('/'); // the page
    expect(rows[1]).toContain('Where is my parcel?');
    expect(rows[2]).toContain('Can I change my plan?');
    expect(rows.join('\n')).toMatch(/1 unread/);
    await expect.poll(() => sam.title()).toMatch(/^\(3\) /);
    await expect.poll(async () => (await notifications(sam)).map((n) => n.title)).toContain('Aiko is waiting');

    // Search narrows the inbox.
    await sam.getByRole('searchbox', { name: 'Search conversations' }).fill('parcel');
    await expect.poll(() => waiting.getByRole('button').count()).toBe(1);
    await sam.getByRole('searchbox', { name: 'Search conversations' }).fill('');

    // Opening a conversation reads it; the transcript is in true order, Markdown drawn, never raw.
    await waiting.getByRole('button', { name: /Aiko/ }).click();
    await expect.poll(() => sam.title()).toMatch(/^\(2\) /);
    const transcript = sam.getByRole('list', { name: 'Transcript' });
    await transcript.getByText('How do I return my router?', { exact: false }).waitFor();
    const lines = await transcript.locator(':scope > li').allInnerTexts();
    const asked = lines.findIndex((l) => l.includes('How do I return my router?'));
    expect(asked).toBeGreaterThanOrEqual(0);
    // The bot answered the question in the widget: its answer comes after it, whatever the clocks say.
    expect(lines.findIndex((l) => l.includes('These articles may help'))).toBeGreaterThan(asked);
    expect(lines.join('\n')).not.toMatch(/\*\*|\\\./);
    await sam.getByRole('complementary', { name: 'Context' }).getByText('aiko@example.com').waitFor();

    await sam.getByRole('button', { name: 'Accept' }).click();
    await aikoChat.getByText('Sam joined the conversation.').waitFor();
    await aiko.getByRole('textbox', { name: 'Message' }).pressSequentially('hello');
    await sam.getByRole('status').getByText('Aiko is typing…').waitFor();
    await aiko.getByRole('textbox', { name: 'Message' }).fill('');
    await group(sam, 'Mine').getByRole('button', { name: /Aiko/ }).waitFor();

    // Enter sends; Shift+Enter breaks the line.
    // The composer's label says what it writes: a reply, or an internal note.
    const reply = sam.getByRole('textbox', { name: /^(Reply|Internal note)$/ });
    await reply.click();
    await sam.keyboard.type('Sorry to hear that.');
    await sam.keyboard.press('Shift+Enter');
    await sam.keyboard.type('Which **model** is it?');
    await aikoChat.getByText('Sam is typing…').waitFor();
    await sam.keyboard.press('Enter');
    await expect.poll(() => reply.inputValue()).toBe('');
    await aikoChat.getByText('Which model is it?', { exact: false }).waitFor();
    const bubble = await aikoChat.getByText('Sorry to hear that.', { exact: false }).last().innerText();
    expect(bubble).toMatch(/Sorry to hear that\.\s*\n\s*Which model is it\?/);

    // A saved reply, its placeholders filled for this customer.
    await sam.getByRole('button', { name: 'Saved replies' }).click();
    await sam.getByRole('button', { name: 'Insert: Greeting' }).click();
    await expect.poll(() => reply.inputValue()).toBe('Hi Aiko, thanks for waiting. I am Sam, and I will help you with this.');
    await reply.press('Enter');
    await aikoChat.getByText('Hi Aiko, thanks for waiting. I am Sam', { exact: false }).waitFor();

    // An internal note: the agents see it, the customer never does.
    await sam.getByRole('radio', { name: 'Internal note' }).check();
    await reply.fill('Second return this month; offer a replacement');
    await reply.press('Enter');
    await transcript.getByText('Second return this month', { exact: false }).waitFor();
    await sam.getByRole('radio', { name: 'Reply' }).check();

    // A suggested article goes as a card; the customer opens it, and the agent sees it read, live.
    const articles = sam.getByRole('region', { name: 'Suggested articles' });
    const send = articles.getByRole('button', { name: /^Send as card/ }).first();
    await send.waitFor();
    const title = ((await send.getAttribute('aria-label')) ?? '').replace('Send as card: ', '');
    await send.click();
    // The agent's card is the latest one (the help centre may have offered the same article before).
    await aikoChat.getByRole('button', { name: title }).last().click();
    const context = sam.getByRole('complementary', { name: 'Context' });
    await context.getByText(/^Live, updated/).waitFor();
    await context.getByRole('listitem').filter({ hasText: title }).waitFor();
    // Browsing after the handoff reaches the context panel too, with secrets left out.
    await aiko.getByRole('link', { name: 'Account' }).click();
    await context.getByText('/account?tab=billing', { exact: false }).first().waitFor();
    expect(await context.innerText()).not.toContain('abc123');

    // A customer writing in a conversation not on screen leaves a mark, a title count and a notification.
    await waiting.getByRole('button', { name: /parcel/ }).click();
    const before = (await notifications(sam)).length;
    await aiko.getByRole('textbox', { name: 'Message' }).fill('It is the Router X');
    await aiko.getByRole('button', { name: 'Send', exact: true }).click();
    await group(sam, 'Mine').getByRole('button', { name: /Aiko.*1 unread/s }).waitFor();
    await expect.poll(async () => (await notifications(sam)).slice(before).map((n) => n.title)).toContain('Aiko wrote');
    expect(await sam.title()).toMatch(/^\(\d\) /);

    // Transfer to Mia: the customer is told, Mia has it as hers, with the note.
    await group(sam, 'Mine').getByRole('button', { name: /Aiko/ }).click();
    await sam.getByRole('combobox', { name: 'Transfer to' }).selectOption('Mia');
    await sam.getByRole('button', { name: 'Transfer', exact: true }).click();
    await aikoChat.getByText('Mia joined the conversation.').waitFor();
    await group(sam, "Others'").getByRole('button', { name: /Aiko/ }).waitFor();
    await group(mia, 'Mine').getByRole('button', { name: /Aiko/ }).click();
    await mia.getByRole('list', { name: 'Transcript' }).getByText('Second return this month', { exact: false }).waitFor();
    expect(await aikoChat.innerText()).not.toContain('Second return this month');
    await mia.getByRole('textbox', { name: 'Reply' }).fill('Mia here: a replacement is on its way.');
    await mia.getByRole('textbox', { name: 'Reply' }).press('Enter');
    await aikoChat.getByText('Mia here: a replacement is on its way.').waitFor();

    // Mia goes away; Sam sees it.
    await mia.getByRole('combobox', { name: 'My status' }).selectOption('away');
    await sam.getByRole('list', { name: 'Team' }).getByText('Mia: Away').waitFor();

    // Close and reopen; the shift's figures count the reply time.
    await mia.getByRole('button', { name: 'Close conversation' }).click();
    await aikoChat.getByText('This conversation has ended.').waitFor();
    await group(mia, 'Closed').getByRole('button', { name: /Aiko/ }).waitFor();
    await mia.getByRole('button', { name: 'Shift', exact: true }).click();
    const shift = mia.getByRole('region', { name: "Today's shift" });
    await shift.getByRole('row', { name: /Aiko/ }).waitFor();
    expect(await shift.getByRole('row', { name: /Aiko/ }).innerText()).toMatch(/Mia\s+\d+ s/);
    await mia.getByRole('button', { name: 'Shift', exact: true }).click();
    await group(mia, 'Closed').getByRole('button', { name: /Aiko/ }).click();
    await mia.getByRole('button', { name: 'Reopen' }).click();
    await aikoChat.getByText('Mia joined the conversation.').last().waitFor();

    // The others are still in line, in order.
    await plan.getByRole('dialog', { name: 'Support' }).getByText('1 person ahead of you.', { exact: false }).waitFor();
    await parcel.getByRole('dialog', { name: 'Support' }).getByText("You're next in line.", { exact: false }).waitFor();

    // Japanese.
    await sam.getByRole('combobox', { name: 'Language' }).selectOption('ja');
    await sam.getByRole('list', { name: '会話' }).getByRole('list', { name: /^待機中/ }).waitFor();
    expect(await sam.evaluate(() => document.documentElement.lang)).toBe('ja');
    await sam.getByRole('combobox', { name: '言語' }).selectOption('en');

    expect(errors).toEqual([]);
    if (process.env.CONSOLE_SCREENSHOT) {
      // The README's picture: Mia at work on Aiko's conversation, two customers waiting.
      await mia.getByRole('combobox', { name: 'My status' }).selectOption('online');
      await mia.setViewportSize({ width: 1440, height: 900 });
      await aiko.getByRole('textbox', { name: 'Message' }).fill('Thank you! Will it come with a new **power adapter**?');
      await aiko.getByRole('button', { name: 'Send', exact: true }).click();
      await mia.getByRole('list', { name: 'Transcript' }).getByText('Will it come with', { exact: false }).waitFor();
      await mia.getByRole('textbox', { name: 'Reply' }).fill('Yes, Aiko: the box has the adapter and a quick-start card.');
      await mia.screenshot({ path: process.env.CONSOLE_SCREENSHOT });
    }
  }, 120_000);

  it('keeps the list while offline, says so, and moves through it with Alt+arrows', async () => {
    const own: RelayDemo = await startDemoServer({ port: 0, relayOptions: await store() });
    const page = await (await newContext(browser)).newPage();
    await page.goto(await own.newAgentUrl());
    await page.getByText('Online as Sam').waitFor();
    for (const question of ['First question here', 'Second question here']) {
      const user = await (await newContext(browser)).newPage();
      await user.goto(own.url + '?user=anon');
      await openWidget(user);
      await user.getByRole('textbox', { name: 'Message' }).fill(question);
      await user.getByRole('button', { name: 'Send', exact: true }).click();
      await user.getByRole('button', { name: 'Talk to a person' }).click();
    }
    const waiting = group(page, 'Waiting');
    await expect.poll(() => waiting.getByRole('button').count()).toBe(2);
    await page.keyboard.press('Alt+ArrowDown');
    await expect.poll(() => waiting.getByRole('button', { name: /First question/ }).getAttribute('aria-current')).toBe('true');
    await page.keyboard.press('Alt+ArrowDown');
    await expect.poll(() => waiting.getByRole('button', { name: /Second question/ }).getAttribute('aria-current')).toBe('true');
    expect(await page.evaluate(() => document.activeElement?.textContent)).toContain('Second question');

    // A reload keeps the agent signed in (with a fresh token) and the list as it was.
    await page.reload();
    await page.getByText('Online as Sam').waitFor();
    await expect.poll(() => waiting.getByRole('button').count()).toBe(2);

    await own.close();
    await page.getByRole('alert').getByText(/Offline: reconnecting\. The list below is as of/).waitFor();
    expect(await waiting.getByRole('button').count()).toBe(2);
  }, 60_000);

  it('has nothing serious for axe, signed out and at work', async () => {
    // The console's Content Security Policy would refuse axe's injected script.
    const page = await (await newContext(browser, { bypassCSP: true })).newPage();
    const origin = new URL(demo.url).origin;
    await page.goto(`${origin}/agent`);
    await page.getByRole('button', { name: 'Sign in' }).waitFor();
    const audit = async (state: string) => {
      if (!(await page.evaluate(() => 'axe' in window))) await page.addScriptTag({ path: AXE });
      const found: string[] = await page.evaluate(async () => {
        const result = await (window as any).axe.run(document, { resultTypes: ['violations'] });
        return result.violations
          .filter((v: any) => v.impact === 'serious' || v.impact === 'critical')
          .map((v: any) => `${v.impact} ${v.id}: ${v.nodes.slice(0, 3).map((n: any) => JSON.stringify(n.target) + ' ' + n.failureSummary).join(' | ')}`);
      });
      return found.map((f) => `${state}: ${f}`);
    };
    const findings = await audit('signed out');
    await page.goto(`${origin}/agent#signin=${await demo.relayInstance.signInLink('Sam')}`);
    await page.getByText('Online as Sam').waitFor();
    await customer('I need help with an invoice');
    await group(page, 'Waiting').getByRole('button').first().click();
    await page.getByRole('list', { name: 'Transcript' }).getByRole('listitem').first().waitFor();
    findings.push(...(await audit('a conversation open')));
    await page.getByRole('button', { name: 'Saved replies' }).click();
    await page.getByRole('radio', { name: 'Internal note' }).check();
    findings.push(...(await audit('saved replies, note mode')));
    await page.getByRole('button', { name: 'Shift', exact: true }).click();
    await page.getByRole('region', { name: "Today's shift" }).waitFor();
    findings.push(...(await audit('shift figures')));
    expect(findings).toEqual([]);
  }, 60_000);
});
