import type { Browser, Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { agentOnline, newContext, watchErrors, withChromiumAndDemo, type Demo } from './support';

let browser: Browser;
let demo: Demo;
let agent: Page;

withChromiumAndDemo({ csp: true }, async (b, d) => {
  [browser, demo] = [b, d];
  agent = await agentOnline(b, d);
});

/** Records every CSP violation of the page (they bubble from inside the shadow root to the document). */
const RECORD_VIOLATIONS = () => {
  const seen: string[] = ((window as any).violations = []);
  document.addEventListener(
    'securitypolicyviolation',
    (e) => seen.push(`${e.effectiveDirective} blocked ${e.blockedURI || '(inline)'} at ${e.sourceFile}:${e.lineNumber} ${e.sample}`),
    true,
  );
};

const POLICIES = [
  // The demo server's own header, with the real relay behind the WebSocket.
  { policy: "'strict-dynamic'", query: '?plan=pro', rewrite: undefined },
  // A policy without 'strict-dynamic': the nonce the host gave the loader must reach every file the widget adds.
  // (A page fulfilled by the test may not open a WebSocket to localhost in Chromium, so this one talks to the loopback.)
  { policy: 'a nonce only', query: '?plan=pro&transport=loopback', rewrite: (csp: string) => csp.replace(" 'strict-dynamic'", '') },
];

describe('under a strict Content Security Policy', () => {
  it.each(POLICIES)('opens, searches, shows an article, runs a flow and hands off with no violation: $policy', async ({ query, rewrite }) => {
    const context = await newContext(browser);
    const page = await context.newPage();
    const errors = watchErrors(page);
    await page.addInitScript(RECORD_VIOLATIONS);
    let policy = '';
    page.on('response', (r) => r.request().resourceType() === 'document' && (policy ||= r.headers()['content-security-policy']));
    if (rewrite)
      await page.route(demo.url + query, async (route) => {
        const response = await route.fetch();
        const headers = { ...response.headers(), 'content-security-policy': rewrite(response.headers()['content-security-policy']) };
        await route.fulfill({ response, headers });
      });
    const scripts: string[] = [];
    page.on('response', (r) => r.request().resourceType() === 'script' && r.ok() && scripts.push(new URL(r.url()).pathname));
    await page.goto(demo.url + query);
    expect(policy).toMatch(rewrite ? /script-src 'nonce-[^' ]+'; style-src 'self'/ : /script-src 'nonce-[^']+' 'strict-dynamic'; style-src 'self'/);

    await page.getByRole('button', { name: 'Open support', exact: true }).click();
    const dialog = page.getByRole('dialog', { name: 'Support' });
    const box = dialog.getByRole('textbox', { name: 'Message' });
    await box.fill('forgot password');
    await dialog.getByRole('listbox').getByRole('option').first().click();
    await dialog.getByRole('article').locator('.md').waitFor();
    await dialog.getByRole('button', { name: 'Back' }).click();

    await page.evaluate(() => (window as any).Madoguchi('startFlow', 'support-router'));
    await dialog.getByRole('group', { name: 'What do you need help with?' }).getByRole('button', { name: 'Billing' }).click();
    if (!rewrite) {
      await dialog.getByText("You're next in line.", { exact: false }).waitFor();
      // A person answers with formatting: rendered by the Markdown view, styled by the adopted sheet.
      await agent.getByRole('list', { name: 'Conversations' }).getByRole('button', { name: /waiting/ }).first().click();
      await agent.getByRole('button', { name: 'Accept' }).click();
      await agent.getByRole('textbox', { name: 'Reply' }).fill('See **Settings → Billing** or [our guide](https://example.com/billing).');
      await agent.getByRole('button', { name: 'Send reply' }).click();
      await dialog.getByRole('link', { name: 'our guide' }).waitFor();
      await agent.getByRole('button', { name: 'Close conversation' }).click();
      await dialog.getByText('This conversation has ended.').waitFor();
    } else {
      await dialog.getByText('Echo joined the conversation.').first().waitFor();
    }

    // The engines came as script files of their own, made by the widget, and ran.
    for (const engine of ['search', 'flow', 'handoff', 'markdown', ...(rewrite ? [] : ['transports'])])
      expect(scripts, engine).toContain(`/madoguchi/madoguchi-${engine}.js`);
    // The widget's stylesheet applies (a blocked sheet would leave the launcher unstyled).
    const launcher = await page.evaluate(() => {
      const el = document.querySelector('madoguchi-widget')!.shadowRoot!.querySelector('.launcher')!;
      return getComputedStyle(el).position;
    });
    expect(launcher).toBe('fixed');
    expect(await page.evaluate(() => (window as any).violations)).toEqual([]);
    expect(errors).toEqual([]);
    await context.close();
  });
});
