import type { Browser, Page } from 'playwright-core';
import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';
// A flow whose one message has an image, a link button and an article card (an article of the
// demo's help centre); a JSON file, so the schema test checks it too.
import RICH from './fixtures/rich.json';
import { newContext, openWidget, withChromiumAndDemo, watchErrors, watchRequests, type Demo } from './support';

let browser: Browser;
let demo: Demo;

withChromiumAndDemo({ relay: false }, (b, d) => ([browser, demo] = [b, d]));

const startFlow = (page: Page, id: string) =>
  page.evaluate((flow) => (window as unknown as { Madoguchi: (...a: unknown[]) => void }).Madoguchi('startFlow', flow), id);

const AXE = createRequire(import.meta.url).resolve('axe-core/axe.min.js');

// A 2 × 2 PNG, served for the image's https address.
const PNG = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAIAAAACCAIAAAD91JpzAAAAEElEQVR4nGP4z8AARAwQCgAf7gP9i18U1AAAAABJRU5ErkJggg==', 'base64');

/** The demo page's HTML with `flow` listed before the demo's four flow files (in place of their index). */
const withFlow = (html: string, flow: object) => {
  const files = ['device-setup', 'return-policy', 'activation-delay', 'support-router'].map((f) => `/flows/${f}.json`);
  const listed = html.replace("flows: '/flows/flows.index.json'", `flows: ${JSON.stringify([flow, ...files])}`);
  if (listed === html) throw new Error("the demo page's flows line changed: update withFlow");
  return listed;
};

/** The demo page with the rich flow among its flows, its image and the guide served locally. */
async function richPage(query: string, colorScheme: 'light' | 'dark' = 'light') {
  const context = await newContext(browser, { colorScheme });
  await context.route('https://cdn.example.test/**', (route) => route.fulfill({ contentType: 'image/png', body: PNG }));
  await context.route('https://help.example.test/**', (route) => route.fulfill({ contentType: 'text/html', body: '<title>Guide</title><p>The guide' }));
  const page = await context.newPage();
  await page.route(demo.url + query, async (route) => {
    const response = await route.fetch();
    const html = withFlow(await response.text(), RICH);
    await route.fulfill({ response, body: html });
  });
  await page.goto(demo.url + query);
  return { context, page };
}

/** axe-core's findings on colour contrast and on names of images, links and buttons, in the widget; and that it judged the link button's and the card's colours. */
async function namesAndContrast(page: Page): Promise<string[]> {
  if (!(await page.evaluate(() => 'axe' in window))) await page.addScriptTag({ path: AXE });
  return page.evaluate(async () => {
    const axe = (window as any).axe;
    const result = await axe.run(document, { runOnly: ['color-contrast', 'image-alt', 'link-name', 'button-name'], resultTypes: ['violations', 'passes'] });
    const judged = JSON.stringify(result.passes.find((p: any) => p.id == 'color-contrast')?.nodes.map((n: any) => n.target));
    return [
      ...result.violations.flatMap((v: any) => v.nodes.map((n: any) => `${v.id} ${JSON.stringify(n.target)} ${n.failureSummary}`)),
      ...['.lb', '.card', 'small'].filter((c) => !judged?.includes(c)).map((c) => `colour of ${c} not judged`),
    ];
  });
}

async function send(page: Page, text: string, label = 'Message', button = 'Send') {
  await page.getByRole('textbox', { name: label }).fill(text);
  await page.getByRole('button', { name: button, exact: true }).click();
}

describe('bot flows in the widget', () => {
  it('runs a flow, shows the retry error, resumes at the same question after a reload and hands off', async () => {
    const context = await newContext(browser);
    const page = await context.newPage();
    const errors = watchErrors(page);
    await page.goto(demo.url + '?transport=loopback&storage=always');
    await openWidget(page);
    await startFlow(page, 'activation-delay');
    const dialog = page.getByRole('dialog', { name: 'Support' });
    await dialog.getByText('What is your order number?').waitFor();
    await send(page, 'MD-123456');
    await dialog.getByText('Which e-mail address did you use').waitFor();

    await send(page, 'aiko-at-example');
    const error = dialog.locator('#mg-flow-error');
    await error.waitFor();
    expect(await error.textContent()).toBe('Please enter a full e-mail address, like name@example.com.');

    await page.reload();
    await dialog.getByText('Which e-mail address did you use').waitFor();
    // Resumed where it was: the box waits for the e-mail address; neither question is asked again.
    await expect.poll(() => page.getByRole('textbox', { name: 'Message' }).getAttribute('placeholder')).toBe('name@example.com');
    expect(await dialog.getByText('What is your order number?').count()).toBe(1);
    expect(await dialog.getByText('Which e-mail address did you use').count()).toBe(1);

    await send(page, 'aiko@example.com');
    await dialog.getByText("I've passed this to our billing team").waitFor();
    await dialog.getByText('Echo joined the conversation.').first().waitFor();
    expect(await dialog.getByText('What is your order number?').count()).toBe(1);
    expect(errors).toEqual([]);
    await context.close();
  });

  it('offers a choice as buttons named by the question; picking one moves the flow on', async () => {
    const context = await newContext(browser);
    const page = await context.newPage();
    await page.goto(demo.url + '?transport=loopback&plan=pro');
    await openWidget(page);
    await startFlow(page, 'support-router');
    const menu = page.getByRole('group', { name: 'What do you need help with?' });
    await menu.waitFor();
    expect(await menu.getByRole('button').allTextContents()).toEqual(['Setting up a device', 'Billing', 'Something else']);
    await menu.getByRole('button', { name: 'Billing' }).click();
    const dialog = page.getByRole('dialog', { name: 'Support' });
    await dialog.getByText('Billing questions on your plan go to our billing team').waitFor();
    await dialog.getByText('Echo joined the conversation.').first().waitFor();
    expect(await menu.count()).toBe(0);
    await context.close();
  });

  it('refuses a broken flow with its errors and paths in the console, and keeps working without it', async () => {
    const context = await newContext(browser);
    const page = await context.newPage();
    const errors = watchErrors(page);
    const requests = watchRequests(page);
    const broken = { id: 'broken', version: 1, start: 'a', nodes: { a: { type: 'message', text: 'hi', next: 'nowhere' }, b: { type: 'choice' } } };
    await page.route(demo.url + '?transport=loopback', async (route) => {
      const response = await route.fetch();
      const html = withFlow(await response.text(), broken);
      await route.fulfill({ response, body: html });
    });
    await page.goto(demo.url + '?transport=loopback');
    await openWidget(page);
    await send(page, 'Is anyone there?');
    await expect.poll(() => page.getByRole('dialog').getByText('Is anyone there?').count(), { timeout: 5000 }).toBe(2);
    // Every file is validated when the flow engine arrives (here for startFlow); the broken one is refused, path by path.
    await startFlow(page, 'support-router');
    await page.getByRole('group', { name: 'What do you need help with?' }).waitFor();
    await expect.poll(() => errors.length).toBeGreaterThanOrEqual(2);
    expect(errors.some((e) => e.includes('$.nodes.a.next: points to "nowhere"'))).toBe(true);
    expect(errors.some((e) => e.startsWith('[madoguchi] $.nodes.b: needs "options"'))).toBe(true);
    // Flows listed as files (not built into an index) bring the validator with the engine.
    expect(requests.filter((p) => /madoguchi-flow(-check)?\.js$/.test(p)).sort()).toEqual(['/madoguchi/madoguchi-flow-check.js', '/madoguchi/madoguchi-flow.js']);
    await context.close();
  });

  it("shows a flow message's image, link button and article card as controls, and again after a reload", async () => {
    const { context, page } = await richPage('?transport=loopback&storage=always');
    const errors = watchErrors(page);
    await openWidget(page);
    await startFlow(page, 'rich');
    const dialog = page.getByRole('dialog', { name: 'Support' });
    const look = async () => {
      const image = dialog.getByRole('img', { name: 'The front of the router' });
      await image.waitFor();
      // Loaded, and kept within the bubble whatever its own size.
      await expect.poll(() => image.evaluate((img: HTMLImageElement) => img.complete && img.naturalWidth)).toBe(2);
      const [box, bubble] = await image.evaluate((img) => [img.getBoundingClientRect(), img.closest('.msg')!.getBoundingClientRect()].map((r) => r.toJSON()));
      expect(box.width <= bubble.width && box.height <= 240).toBe(true);
      const guide = dialog.getByRole('link', { name: 'Open the setup guide (opens in a new tab)' });
      expect(await guide.evaluate((a: HTMLAnchorElement) => [a.getAttribute('href'), a.target, a.rel])).toEqual(['https://help.example.test/router', '_blank', 'noopener noreferrer']);
      // A button to the eye: a bordered control at least 44 pixels high, not a link inside the text.
      const shape = await guide.evaluate((a) => ({ height: a.getBoundingClientRect().height, border: getComputedStyle(a).borderTopStyle, inText: !!a.closest('.md') }));
      expect(shape).toEqual({ height: expect.any(Number), border: 'solid', inText: false });
      expect(shape.height).toBeGreaterThanOrEqual(44);
      await dialog.getByRole('button', { name: 'Set up your Acme Hub for the first time Step by step.' }).waitFor();
      expect(await dialog.getByText('Here is the router:').count()).toBe(1);
    };
    await look();
    expect(await namesAndContrast(page)).toEqual([]);

    // From the keyboard: the link opens the guide in a new tab, which cannot reach this page.
    const guide = dialog.getByRole('link', { name: /Open the setup guide/ });
    await guide.focus();
    const [popup] = await Promise.all([context.waitForEvent('page'), page.keyboard.press('Enter')]);
    await popup.waitForLoadState();
    expect(await popup.evaluate(() => window.opener)).toBeNull();
    await popup.close();

    await page.reload();
    await look();
    // The card opens its help-centre article in the panel.
    await dialog.getByRole('button', { name: /^Set up your Acme Hub for the first time/ }).click();
    await dialog.getByRole('article').waitFor();
    expect(await dialog.getByRole('article').getByRole('heading').first().textContent()).toBe('Set up your Acme Hub for the first time');
    expect(errors).toEqual([]);
    await context.close();
  });

  it('keeps the rich controls named and readable in the dark theme', async () => {
    const { context, page } = await richPage('?transport=loopback&theme=dark', 'dark');
    await openWidget(page);
    await startFlow(page, 'rich');
    await page.getByRole('dialog').getByRole('img', { name: 'The front of the router' }).waitFor();
    expect(await namesAndContrast(page)).toEqual([]);
    await context.close();
  });

  it("answers the demo's order question: a sub-flow asks the number, the page's own handler looks it up", async () => {
    const context = await newContext(browser);
    const page = await context.newPage();
    const errors = watchErrors(page);
    await page.goto(demo.url + '?transport=loopback');
    await page.getByRole('link', { name: 'Your orders' }).click();
    // The flow's trigger: this page's event, on an order page.
    await page.getByRole('button', { name: 'Where is my order?' }).click();
    await openWidget(page);
    const dialog = page.getByRole('dialog', { name: 'Support' });
    await dialog.getByText('What is your order number?').waitFor();
    await send(page, 'MD-999');
    // The retry text, said to screen readers too.
    await dialog.getByRole('alert').filter({ hasText: 'An order number is MD- followed by six digits' }).waitFor({ state: 'attached' });
    await send(page, 'MD-204518');
    await dialog.getByText(/Order MD-204518 is shipped; it should arrive by 2026-12-03/).waitFor();
    await dialog.getByRole('group', { name: /How likely are you to recommend us/ }).waitFor();
    expect(errors).toEqual([]);
    await context.close();
  });

  it('runs a flow in Japanese', async () => {
    const context = await newContext(browser);
    const page = await context.newPage();
    await page.goto(demo.url + '?transport=loopback&lang=ja&plan=free');
    await openWidget(page, 'サポートを開く');
    await startFlow(page, 'support-router');
    const menu = page.getByRole('group', { name: 'どのようなご用件ですか?' });
    await menu.getByRole('button', { name: 'お支払い' }).click();
    const dialog = page.getByRole('dialog', { name: 'サポート' });
    await dialog.getByText('請求書の確認やカードの変更は').waitFor();
    await dialog.getByText('ほかにご質問があれば、下に入力してください。').waitFor();
    await context.close();
  });
});
