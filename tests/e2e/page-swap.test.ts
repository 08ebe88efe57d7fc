import type { Browser } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { newContext, openWidget, withChromiumAndDemo, watchErrors, type Demo } from './support';

let browser: Browser;
let demo: Demo;

withChromiumAndDemo({ relay: false }, (b, d) => ([browser, demo] = [b, d]));

/** What Turbo Drive and Astro's view transitions do on a navigation, and what an SPA's `innerHTML` render does. */
const SWAPS = {
  'a new <body> replaces the old one': () => {
    const next = document.createElement('body');
    next.innerHTML = '<main><h1>Another page</h1></main>';
    document.body.replaceWith(next);
  },
  "the body's content is replaced": () => {
    document.body.innerHTML = '<main><h1>Another page</h1></main>';
  },
};

describe('page swaps without a reload', () => {
  for (const [name, swap] of Object.entries(SWAPS))
    it(`keeps the widget, its open panel and its conversation when ${name}`, async () => {
      const context = await newContext(browser);
      const page = await context.newPage();
      const errors = watchErrors(page);
      await page.goto(demo.url + '?transport=loopback');
      await openWidget(page);
      await page.getByRole('textbox', { name: 'Message' }).fill('Before the swap');
      await page.keyboard.press('Enter');
      await page.getByRole('dialog').getByText('Before the swap').first().waitFor();
      await page.evaluate(swap);
      await page.getByRole('heading', { name: 'Another page' }).waitFor();
      await expect.poll(() => page.getByRole('dialog', { name: 'Support' }).isVisible()).toBe(true);
      await expect(page.getByRole('dialog').getByText('Before the swap').first().isVisible()).resolves.toBe(true);
      await expect(page.locator('madoguchi-widget').count()).resolves.toBe(1);
      await page.getByRole('textbox', { name: 'Message' }).fill('After the swap');
      await page.keyboard.press('Enter');
      await page.getByRole('dialog').getByText('After the swap').first().waitFor();
      expect(errors).toEqual([]);
      await context.close();
    });
});
