import type { Browser, Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { newContext, withChromiumAndDemo, watchErrors, type Demo } from './support';

let browser: Browser;
let demo: Demo;

withChromiumAndDemo({ relay: false }, (b, d) => ([browser, demo] = [b, d]));

/** What has the keyboard focus, inside the widget's shadow root or on the host page: "tag name". */
const focused = (page: Page) =>
  page.evaluate(() => {
    let el = document.activeElement;
    while (el?.shadowRoot?.activeElement) el = el.shadowRoot.activeElement;
    if (!el || el === document.body) return 'body';
    const name = el.getAttribute('aria-label') || el.textContent?.trim() || '';
    return `${el.tagName.toLowerCase()} ${name}`.trim();
  });

describe('the widget with the keyboard alone', () => {
  it('reaches the launcher with Tab, searches, reads an article, comes back, sends, and closes with focus back on the launcher', async () => {
    const context = await newContext(browser);
    const page = await context.newPage();
    const errors = watchErrors(page);
    await page.goto(demo.url + '?transport=loopback');
    await page.getByRole('button', { name: 'Open support', exact: true }).waitFor();

    // From the top of the page, Tab after Tab: the launcher is in the page's tab order.
    let tabs = 0;
    while ((await focused(page)) !== 'button Open support' && tabs < 20) {
      await page.keyboard.press('Tab');
      tabs++;
    }
    expect(await focused(page)).toBe('button Open support');

    // Enter opens the panel on the message box.
    await page.keyboard.press('Enter');
    const dialog = page.getByRole('dialog', { name: 'Support' });
    await dialog.waitFor();
    await expect.poll(() => focused(page)).toBe('textarea Message');

    // Type a question; the arrow picks a suggestion, Enter opens it with its title focused.
    await page.keyboard.type('forgot password');
    const list = dialog.getByRole('listbox', { name: 'Suggested articles' });
    await list.waitFor();
    await page.keyboard.press('ArrowDown');
    await expect.poll(() => list.getByRole('option', { selected: true }).count()).toBe(1);
    const title = (await list.getByRole('option', { selected: true }).locator('b').textContent())!;
    await page.keyboard.press('Enter');
    await dialog.getByRole('article').waitFor();
    await expect.poll(() => focused(page)).toBe(`h3 ${title}`);

    // Back is one Shift+Tab away; Enter returns to the conversation, on the message box.
    await page.keyboard.press('Shift+Tab');
    expect(await focused(page)).toBe('button Back');
    await page.keyboard.press('Enter');
    await dialog.getByRole('log').waitFor();
    expect(await dialog.getByRole('article').count()).toBe(0);
    await expect.poll(() => focused(page)).toBe('textarea Message');

    // Enter sends what was typed; the box empties and keeps the focus.
    await page.keyboard.press('Control+A');
    await page.keyboard.type('Thanks, that helped');
    await page.keyboard.press('Enter');
    await dialog.getByRole('log').getByText('Thanks, that helped').waitFor();
    expect(await dialog.getByRole('textbox', { name: 'Message' }).inputValue()).toBe('');
    expect(await focused(page)).toBe('textarea Message');

    // Escape closes the panel and gives the focus back to the launcher.
    await page.keyboard.press('Escape');
    await expect.poll(() => dialog.count()).toBe(0);
    expect(await focused(page)).toBe('button Open support');
    expect(errors).toEqual([]);
    await context.close();
  });
});
