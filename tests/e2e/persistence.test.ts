import type { Browser, Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { newContext, openWidget, withChromiumAndDemo, type Demo } from './support';

let browser: Browser;
let demo: Demo;

withChromiumAndDemo({ relay: false }, (b, d) => ([browser, demo] = [b, d]));

const databases = (page: Page) => page.evaluate(async () => (await indexedDB.databases()).map((d) => d.name));
const send = async (page: Page, text: string) => {
  await page.getByRole('textbox', { name: 'Message' }).fill(text);
  await page.getByRole('button', { name: 'Send', exact: true }).click();
  await page.getByRole('dialog').getByText(text).first().waitFor();
};
/** The panel's open flag as stored in the session record of the app's database. */
const storedPanelOpen = (page: Page) =>
  page.evaluate(
    () =>
      new Promise((resolve, reject) => {
        const open = indexedDB.open('madoguchi-acme');
        open.onerror = () => reject(open.error);
        open.onsuccess = () => {
          const get = open.result.transaction('records').objectStore('records').get('s');
          get.onsuccess = () => {
            resolve(get.result?.open);
            open.result.close();
          };
        };
      }),
  );
const thread = (page: Page) =>
  page.evaluate(() =>
    Array.from(document.querySelector('madoguchi-widget')!.shadowRoot!.querySelectorAll('.log > li')).map((li) => li.textContent),
  );

describe('the conversation kept in IndexedDB', () => {
  it('writes nothing before the user interacts (default consent), then stores after opening', async () => {
    const context = await newContext(browser);
    const page = await context.newPage();
    await page.goto(demo.url + '?transport=loopback');
    await page.getByRole('button', { name: 'Open support', exact: true }).waitFor();
    await page.evaluate(() => (window as any).Madoguchi('track', 'viewed_pricing', { plan: 'pro' }));
    await page.waitForTimeout(300);
    expect(await databases(page)).toEqual([]);
    expect(await page.evaluate(() => [document.cookie, localStorage.length, sessionStorage.length])).toEqual(['', 0, 0]);
    await openWidget(page);
    await expect.poll(() => databases(page)).toEqual(['madoguchi-acme']);
    await context.close();
  });

  it('brings back the conversation and the open panel after a reload', async () => {
    const context = await newContext(browser);
    const page = await context.newPage();
    await page.goto(demo.url + '?transport=loopback');
    await openWidget(page);
    await send(page, 'First question');
    await expect.poll(() => page.getByRole('dialog').getByText('First question').count()).toBe(2); // the echo
    const before = await thread(page);
    await page.reload();
    await page.getByRole('dialog', { name: 'Support' }).waitFor();
    await expect.poll(() => thread(page)).toEqual(before);
    await send(page, 'Second question');
    await page.getByRole('button', { name: 'Close support', exact: true }).click();
    // A reload a few milliseconds after a click can beat any write; wait for the closed panel to be stored.
    await expect.poll(() => storedPanelOpen(page)).toBe(false);
    await page.reload();
    await page.getByRole('button', { name: 'Open support', exact: true }).waitFor();
    await page.waitForTimeout(300);
    expect(await page.getByRole('dialog').count()).toBe(0);
    await context.close();
  });

  it('shows a message sent in one tab in the other within a second, once', async () => {
    const context = await newContext(browser);
    const [a, b] = [await context.newPage(), await context.newPage()];
    await a.goto(demo.url + '?transport=loopback&storage=always');
    await b.goto(demo.url + '?transport=loopback&storage=always');
    await openWidget(a);
    await openWidget(b);
    await send(a, 'Hello from tab A');
    await b.getByRole('dialog').getByText('Hello from tab A').first().waitFor({ timeout: 1000 });
    await send(b, 'And from tab B');
    await a.getByRole('dialog').getByText('And from tab B').first().waitFor({ timeout: 1000 });
    await expect.poll(async () => (await thread(a)).join('|')).toBe((await thread(b)).join('|'));
    const texts = await thread(a);
    expect(texts.filter((t) => t?.includes('Hello from tab A') && t.startsWith('You')).length).toBe(1);
    await context.close();
  });

  it('records single-page-app navigation and events, redacting secrets', async () => {
    const context = await newContext(browser);
    const page = await context.newPage();
    await page.goto(demo.url + '?transport=loopback&token=abc123');
    await page.getByRole('button', { name: 'Open support', exact: true }).waitFor();
    await page.getByRole('link', { name: 'Router X' }).click();
    await page.getByRole('link', { name: 'Account' }).click();
    await page.getByRole('button', { name: /Start checkout/ }).click();
    await page.evaluate(() => (window as any).Madoguchi('track', 'note', { text: 'mail me at aiko@example.com' }));
    // The script tag's debug command hands the captured context to a callback.
    const snapshot = await page.evaluate(
      () =>
        new Promise<any>((resolve) => {
          (window as any).Madoguchi('debugContext', resolve);
        }),
    );
    const pages = snapshot.trail.filter((e: any) => e.type === 'page').map((e: any) => new URL(e.url).pathname);
    expect(pages.slice(-3)).toEqual(['/', '/products/router-x', '/account']);
    const urls = JSON.stringify(snapshot.trail);
    expect(urls).not.toContain('abc123');
    expect(urls).toContain('tab=billing');
    expect(urls).not.toContain('session=');
    expect(urls).not.toContain('aiko@example.com');
    expect(snapshot.trail.some((e: any) => e.type === 'event' && e.name === 'checkout_started')).toBe(true);
    expect(snapshot.user).toMatchObject({ id: 'u1', name: 'Aiko' });
    expect(snapshot.page.title).toBe('Acme Store — Your account');
    await context.close();
  });

  it('deletes every stored record at shutdown; the next boot starts clean', async () => {
    const context = await newContext(browser);
    const page = await context.newPage();
    await page.goto(demo.url + '?transport=loopback');
    await openWidget(page);
    await send(page, 'Private question');
    await expect.poll(() => databases(page)).toEqual(['madoguchi-acme']);
    const other = await context.newPage();
    await other.goto(demo.url + '?transport=loopback');
    // A new tab starts with the panel closed; opened, it shows the same conversation.
    await other.getByRole('button', { name: 'Open support', exact: true }).waitFor();
    expect(await other.getByRole('dialog').isVisible()).toBe(false);
    await openWidget(other);
    await other.getByRole('dialog').getByText('Private question').first().waitFor();
    await page.evaluate(() => (window as any).Madoguchi('shutdown'));
    await expect.poll(() => databases(page)).toEqual([]);
    expect(await page.locator('madoguchi-widget').count()).toBe(0);
    // The other tab forgets the conversation too, and keeps working.
    await expect.poll(async () => (await thread(other)).join()).not.toContain('Private question');
    await other.getByRole('button', { name: /support/ }).first().waitFor();
    await page.reload();
    await openWidget(page);
    await page.waitForTimeout(300);
    expect((await thread(page)).join()).not.toContain('Private question');
    await context.close();
  });
});
