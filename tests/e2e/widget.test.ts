import type { Browser } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { newContext, openWidget, withChromiumAndDemo, watchErrors, type Demo } from './support';

let browser: Browser;
let demo: Demo;

withChromiumAndDemo({ relay: false }, (b, d) => ([browser, demo] = [b, d]));

describe('the widget on the example page', () => {
  it('opens by its accessible name, sends a message and shows the echo, with no console error', async () => {
    const context = await newContext(browser);
    const page = await context.newPage();
    const errors = watchErrors(page);
    await page.goto(demo.url + '?transport=loopback');
    await openWidget(page);
    const dialog = page.getByRole('dialog', { name: 'Support' });
    await expect(dialog.isVisible()).resolves.toBe(true);
    await expect(page.getByRole('textbox', { name: 'Message' }).evaluate((el) => el === (el.getRootNode() as ShadowRoot).activeElement)).resolves.toBe(true);
    await page.getByRole('textbox', { name: 'Message' }).fill('Where is my order?');
    await page.getByRole('button', { name: 'Send', exact: true }).click();
    await dialog.getByText('Where is my order?').first().waitFor();
    await expect.poll(() => dialog.getByText('Where is my order?').count(), { timeout: 5000 }).toBe(2);
    expect(errors).toEqual([]);
    await context.close();
  });

  it('sends with Enter, closes with Escape and gives focus back to the launcher', async () => {
    const context = await newContext(browser);
    const page = await context.newPage();
    await page.goto(demo.url + '?transport=loopback');
    await openWidget(page);
    await page.keyboard.type('Hello there');
    await page.keyboard.press('Enter');
    await page.getByRole('dialog').getByText('Hello there').first().waitFor();
    await page.keyboard.press('Escape');
    await expect.poll(() => page.getByRole('dialog').count()).toBe(0);
    const focused = await page.evaluate(() => document.querySelector('madoguchi-widget')?.shadowRoot?.activeElement?.getAttribute('aria-label'));
    expect(focused).toBe('Open support');
    await context.close();
  });

  it('speaks Japanese when the locale is ja', async () => {
    const context = await newContext(browser);
    const page = await context.newPage();
    await page.goto(demo.url + '?transport=loopback&lang=ja');
    await openWidget(page, 'サポートを開く');
    await page.getByRole('dialog', { name: 'サポート' }).waitFor();
    await page.getByRole('textbox', { name: 'メッセージ' }).fill('こんにちは');
    await page.getByRole('button', { name: '送信', exact: true }).click();
    await page.getByRole('button', { name: '担当者と話す' }).waitFor();
    await page.getByRole('button', { name: 'サポートを閉じる', exact: true }).click();
    await context.close();
  });

  it('is not changed by a hostile host stylesheet', async () => {
    const context = await newContext(browser);
    const page = await context.newPage();
    await page.goto(demo.url + '?transport=loopback');
    await openWidget(page);
    const look = () =>
      page.getByRole('button', { name: 'Send', exact: true }).evaluate((el) => {
        const s = getComputedStyle(el);
        const d = getComputedStyle(el.closest('[role=dialog]')!);
        return { color: s.color, size: s.fontSize, dialogColor: d.color, dialogSize: d.fontSize, width: d.width };
      });
    const before = await look();
    await page.addStyleTag({ content: '* { color: red !important; font-size: 40px !important }' });
    expect(await look()).toEqual(before);
    expect(before.color).not.toBe('rgb(255, 0, 0)');
    await context.close();
  });

  it('leaks no style out: the host page looks the same with and without the widget', async () => {
    const context = await newContext(browser);
    const page = await context.newPage();
    const hostLook = () =>
      page.evaluate(() =>
        ['body', 'h1', 'button', 'a'].map((s) => {
          const c = getComputedStyle(document.querySelector(s)!);
          return [c.color, c.fontSize, c.fontFamily, c.margin, c.padding, c.boxSizing].join('|');
        }),
      );
    await page.goto(demo.url + '?widget=off');
    const without = await hostLook();
    await page.goto(demo.url + '?transport=loopback');
    await openWidget(page);
    expect(await hostLook()).toEqual(without);
    await context.close();
  });

  it('adds no global but Madoguchi to the page', async () => {
    const context = await newContext(browser);
    const page = await context.newPage();
    await page.goto(demo.url + '?widget=off');
    const baseline: string[] = await page.evaluate(() => Object.getOwnPropertyNames(window));
    await page.goto(demo.url + '?transport=loopback');
    await openWidget(page);
    const after: string[] = await page.evaluate(() => Object.getOwnPropertyNames(window));
    expect(after.filter((name) => !baseline.includes(name))).toEqual(['Madoguchi']);
    await context.close();
  });

  it('fills the screen on a phone, with 16px inputs so the page does not zoom', async () => {
    const context = await newContext(browser, { viewport: { width: 390, height: 700 }, isMobile: true, hasTouch: true, reducedMotion: 'reduce' });
    const page = await context.newPage();
    await page.goto(demo.url + '?transport=loopback');
    await openWidget(page);
    const box = await page.getByRole('dialog').boundingBox();
    expect(box).toMatchObject({ x: 0, y: 0, width: 390, height: 700 });
    const size = await page.getByRole('textbox', { name: 'Message' }).evaluate((el) => getComputedStyle(el).fontSize);
    expect(size).toBe('16px');
    await context.close();
  });

  it('reports a bad command and bad config on the console without throwing into the page', async () => {
    const context = await newContext(browser);
    const page = await context.newPage();
    const errors = watchErrors(page);
    await page.goto(demo.url + '?transport=loopback');
    await openWidget(page);
    const thrown = await page.evaluate(() => {
      try {
        (window as any).Madoguchi('fly');
        (window as any).Madoguchi('update', { user: 'nobody' });
        return null;
      } catch (error) {
        return String(error);
      }
    });
    expect(thrown).toBeNull();
    expect(errors.some((e) => e.includes('unknown command "fly"'))).toBe(true);
    await context.close();
  });

  it('loads the widget only after the page has loaded, and at once when a command needs the UI', async () => {
    const context = await newContext(browser);
    const page = await context.newPage();
    const order: string[] = [];
    page.on('request', (r) => r.url().endsWith('/madoguchi/madoguchi.js') && order.push('widget'));
    page.on('load', () => order.push('load'));
    await page.goto(demo.url + '?transport=loopback');
    await page.getByRole('button', { name: 'Open support', exact: true }).waitFor();
    expect(order).toEqual(['load', 'widget']);

    // A host that opens the messenger from its own button before the widget has loaded.
    const early = await context.newPage();
    const earlyOrder: string[] = [];
    early.on('request', (r) => r.url().endsWith('/madoguchi/madoguchi.js') && earlyOrder.push('widget'));
    early.on('load', () => earlyOrder.push('load'));
    await early.addInitScript(() => {
      (window as any).Madoguchi = function () {
        ((window as any).Madoguchi.q = (window as any).Madoguchi.q || []).push(arguments);
      };
      (window as any).Madoguchi('open');
    });
    await early.goto(demo.url + '?transport=loopback');
    await early.getByRole('dialog', { name: 'Support' }).waitFor();
    expect(earlyOrder).toEqual(['widget', 'load']);
    await context.close();
  });
});
