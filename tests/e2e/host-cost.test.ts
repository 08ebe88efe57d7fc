import type { Browser } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { closeAndKeep, measureHostPage, measureInPage, seedConversation, widgetShare, type PageCost } from '../../scripts/bench-host';
import { newContext, withChromiumAndDemo, watchErrors, type Demo } from './support';

let browser: Browser;
let demo: Demo;

withChromiumAndDemo({ relay: false }, (b, d) => ([browser, demo] = [b, d]));

/** Every long task of a measured page, with what ran in it, for a failure message. */
const describeTasks = (cost: PageCost) =>
  [...cost.load.longTasks.map((t) => ['load', t] as const), ...(cost.open?.longTasks || []).map((t) => ['open', t] as const)]
    .map(([when, t]) => `${when}: ${t.duration.toFixed(0)} ms (${t.scripts.slice(0, 3).join('; ') || 'no script over 5 ms: style, layout, paint'})`)
    .join('\n');

describe("the host page's cost", () => {
  it('has no long task and no layout shift caused by the widget during load and first open', async () => {
    // A shared 2-core machine has noisy moments: a second attempt decides.
    let share = { longTasks: NaN, shift: NaN };
    let details = '';
    for (let attempt = 0; attempt < 2 && !(share.longTasks === 0 && share.shift === 0); attempt++) {
      const baseline = await measureHostPage(browser, `${demo.url}?widget=off`, { widget: false });
      const withWidget = await measureHostPage(browser, `${demo.url}?transport=loopback`, { widget: true, open: true });
      share = widgetShare(baseline, withWidget);
      details = `page without the widget:\n${describeTasks(baseline) || 'none'}\npage with the widget:\n${describeTasks(withWidget) || 'none'}`;
      expect(withWidget.open!.clickToVisibleMs).toBeLessThan(1000);
    }
    expect(share.shift).toBe(0);
    expect(share.longTasks, details).toBe(0);
  });

  it('opens a 1,000-message conversation in under 100 ms, and sending still works', async () => {
    const context = await newContext(browser);
    const url = `${demo.url}?transport=loopback&storage=always`;
    const seeding = await context.newPage();
    await seedConversation(seeding, url, 1000);
    await seeding.close();

    let page = await context.newPage();
    let errors = watchErrors(page);
    let cost = await measureInPage(page, url, { widget: true, open: true, expectLast: 'Seeded message 1000' });
    // Up to two more tries, in case the machine was busy (a shared 2-core machine varies by tens of ms).
    for (let tries = 0; tries < 2 && cost.open!.clickToVisibleMs >= 100; tries++) {
      await closeAndKeep(page);
      await page.close();
      page = await context.newPage();
      errors = watchErrors(page);
      cost = await measureInPage(page, url, { widget: true, open: true, expectLast: 'Seeded message 1000' });
    }
    const dialog = page.getByRole('dialog', { name: 'Support' });
    // The latest messages are rendered; the earlier ones are a button away, a page at a time.
    // (Messages only: the day separators and the button are items of the list too.)
    const items = await dialog.locator('.log > li.msg').count();
    expect(items).toBeLessThan(1000);
    expect(await dialog.locator('.log > li.msg').nth(items - 1).textContent()).toContain('Seeded message 1000');
    await dialog.getByRole('button', { name: 'Show earlier messages' }).click();
    await expect.poll(() => dialog.locator('.log > li.msg').count()).toBe(2 * items);
    // Soft, so sending is checked too when the open is slow.
    expect.soft(cost.open!.clickToVisibleMs, `click → panel with its last message shown\n${describeTasks(cost)}`).toBeLessThan(100);

    const started = Date.now();
    await page.getByRole('textbox', { name: 'Message' }).fill('Still quick after a thousand messages?');
    await page.getByRole('button', { name: 'Send', exact: true }).click();
    await dialog.locator('.log > li:last-child').getByText('Still quick after a thousand messages?').first().waitFor({ timeout: 2000 });
    expect(Date.now() - started).toBeLessThan(2000);
    await expect.poll(() => page.getByRole('textbox', { name: 'Message' }).inputValue()).toBe('');
    expect(errors).toEqual([]);
    await context.close();
  });
});
