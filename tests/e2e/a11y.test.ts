import type { Browser, Page } from 'playwright-core';
import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';
import { agentOnline, newContext, watchErrors, withChromiumAndDemo, type Demo } from './support';

const AXE = createRequire(import.meta.url).resolve('axe-core/axe.min.js');

let browser: Browser;
let demo: Demo;
let agent: Page;

withChromiumAndDemo({}, async (b, d) => {
  [browser, demo] = [b, d];
  agent = await agentOnline(b, d);
});

interface Finding {
  id: string;
  impact: string;
  help: string;
  nodes: string[];
}

/** axe-core's serious and critical findings for the whole page (it reaches into the widget's open shadow root). */
async function audit(page: Page, state: string): Promise<string[]> {
  if (!(await page.evaluate(() => 'axe' in window))) await page.addScriptTag({ path: AXE });
  // Colours are judged once the panel has finished fading in.
  await page.evaluate(async () => {
    await new Promise(requestAnimationFrame);
    const root = document.querySelector('madoguchi-widget')?.shadowRoot;
    await Promise.all((root?.getAnimations() ?? []).map((a) => a.finished));
  });
  const found: Finding[] = await page.evaluate(async () => {
    const axe = (window as any).axe;
    const result = await axe.run(document, { resultTypes: ['violations'] });
    return result.violations
      .filter((v: any) => v.impact === 'serious' || v.impact === 'critical')
      .map((v: any) => ({
        id: v.id,
        impact: v.impact,
        help: v.help,
        nodes: v.nodes.slice(0, 3).map((n: any) => `${JSON.stringify(n.target)} ${n.failureSummary}`),
      }));
  });
  return [...found.map((f) => `${state}: ${f.impact} ${f.id} (${f.help}) ${f.nodes.join(' | ')}`), ...(await smallTargets(page, state))];
}

/** The widget's controls smaller than 44 × 44 CSS pixels (links inside running text are exempt). */
function smallTargets(page: Page, state: string): Promise<string[]> {
  return page.evaluate((state) => {
    const root = document.querySelector('madoguchi-widget')!.shadowRoot!;
    const small: string[] = [];
    for (const el of root.querySelectorAll<HTMLElement>('button, textarea, input, [role=option], article > a')) {
      const box = el.getBoundingClientRect();
      if (box.width && (box.width < 44 || box.height < 44))
        small.push(`${state}: touch target ${el.tagName.toLowerCase()} "${el.getAttribute('aria-label') || el.textContent}" is ${box.width.toFixed(0)}×${box.height.toFixed(0)}`);
    }
    return small;
  }, state);
}

const TEXT = {
  en: {
    open: 'Open support',
    query: 'device offline',
    back: 'Back',
    human: 'Talk to a person',
    message: 'Message',
    send: 'Send',
    menu: 'What do you need help with?',
    line: "You're next in line.",
    csat: 'How satisfied are you with the help you got?',
  },
  ja: {
    open: 'サポートを開く',
    query: 'オフライン',
    back: '戻る',
    human: '担当者と話す',
    message: 'メッセージ',
    send: '送信',
    menu: 'どのようなご用件ですか?',
    line: '次にご案内します。',
    csat: '今回のサポートにどの程度満足されましたか？',
  },
};

const VARIANTS = [
  { lang: 'en', scheme: 'light', query: '' },
  { lang: 'en', scheme: 'dark', query: '&theme=dark' },
  { lang: 'ja', scheme: 'light', query: '&lang=ja' },
  { lang: 'ja', scheme: 'dark', query: '&lang=ja' }, // the automatic theme, following the system's dark scheme
] as const;

describe('accessibility of every state of the widget', () => {
  it.each(VARIANTS)('axe finds nothing serious in $lang, $scheme', async ({ lang, scheme, query }) => {
    const t = TEXT[lang];
    const context = await newContext(browser, { colorScheme: scheme });
    const page = await context.newPage();
    const errors = watchErrors(page);
    const problems: string[] = [];
    await page.goto(`${demo.url}?plan=pro${query}`);
    const launcher = page.getByRole('button', { name: t.open, exact: true });
    await launcher.waitFor();
    problems.push(...(await audit(page, 'closed')));

    await launcher.click();
    const dialog = page.getByRole('dialog');
    await dialog.waitFor();
    problems.push(...(await audit(page, 'open')));

    const box = dialog.getByRole('textbox', { name: t.message });
    await box.fill(t.query);
    await dialog.getByRole('listbox').waitFor();
    problems.push(...(await audit(page, 'suggestions')));

    await box.press('ArrowDown');
    await box.press('Enter');
    await dialog.getByRole('article').waitFor();
    problems.push(...(await audit(page, 'article')));
    await dialog.getByRole('button', { name: t.back }).click();

    await page.evaluate(() => (window as any).Madoguchi('startFlow', 'activation-delay'));
    await dialog.getByText('MD-123456').first().waitFor();
    await box.fill('12');
    await dialog.getByRole('button', { name: t.send, exact: true }).click();
    await dialog.getByRole('alert').waitFor();
    expect(await box.getAttribute('aria-invalid')).toBe('true');
    problems.push(...(await audit(page, 'flow input error')));

    await page.evaluate(() => (window as any).Madoguchi('startFlow', 'support-router'));
    await dialog.getByRole('group', { name: t.menu }).waitFor();
    problems.push(...(await audit(page, 'flow choice')));

    await dialog.getByRole('button', { name: t.human }).click();
    await dialog.getByText(t.line, { exact: false }).waitFor();
    problems.push(...(await audit(page, 'queue')));

    // The agent takes it, answers, and closes: the answer is announced, then the survey is asked.
    await agent.getByRole('list', { name: 'Conversations' }).getByRole('button', { name: /waiting/ }).first().click();
    await agent.getByRole('button', { name: 'Accept' }).click();
    await agent.getByRole('textbox', { name: /reply/i }).fill('Happy to help with that.');
    await agent.getByRole('button', { name: 'Send reply' }).click();
    const log = dialog.locator('[role=log][aria-live=polite]');
    await log.getByText('Happy to help with that.').waitFor();
    await agent.getByRole('button', { name: 'Close conversation' }).click();
    await dialog.getByRole('group', { name: t.csat }).waitFor();
    problems.push(...(await audit(page, 'survey')));

    expect(problems).toEqual([]);
    expect(errors).toEqual([]);
    await context.close();
  });
});

const panelOf = (page: Page) =>
  page.evaluateHandle(() => document.querySelector('madoguchi-widget')!.shadowRoot!.querySelector<HTMLElement>('.panel')!);

describe('motion and direction', () => {
  it('fades the panel in, but not for someone who asked for reduced motion', async () => {
    for (const reducedMotion of ['no-preference', 'reduce'] as const) {
      const context = await newContext(browser, { reducedMotion });
      const page = await context.newPage();
      await page.goto(demo.url + '?transport=loopback');
      await page.getByRole('button', { name: 'Open support', exact: true }).click();
      await page.getByRole('dialog').waitFor();
      const animation = await (await panelOf(page)).evaluate((panel) => getComputedStyle(panel).animationName);
      expect(animation, reducedMotion).toBe(reducedMotion === 'reduce' ? 'none' : 'in');
      await context.close();
    }
  });

  it('lays the panel out right to left on a right-to-left page, and keeps the corner the host chose', async () => {
    const context = await newContext(browser);
    const page = await context.newPage();
    await page.route(demo.url + '?transport=loopback', async (route) => {
      const html = await (await route.fetch()).text();
      await route.fulfill({ contentType: 'text/html', body: html.replace('<html lang="en">', '<html lang="en" dir="rtl">') });
    });
    await page.goto(demo.url + '?transport=loopback');
    const launcher = page.getByRole('button', { name: 'Open support', exact: true });
    await launcher.click();
    const dialog = page.getByRole('dialog', { name: 'Support' });
    await dialog.getByRole('textbox', { name: 'Message' }).fill('Hello there');
    await dialog.getByRole('button', { name: 'Send', exact: true }).click();
    await dialog.getByText('Hello there').waitFor();

    const layout = await (await panelOf(page)).evaluate((panel) => {
      const box = (el: Element | null) => el!.getBoundingClientRect();
      return {
        direction: getComputedStyle(panel).direction,
        align: getComputedStyle(panel.querySelector('.msg')!).textAlign,
        panel: box(panel),
        title: box(panel.querySelector('h2')),
        minimize: box(panel.querySelector('header button')),
        bot: box(panel.querySelector('.msg.bot')),
        user: box(panel.querySelector('.msg.user')),
        log: box(panel.querySelector('.log')),
      };
    });
    expect(layout.direction).toBe('rtl');
    expect(['start', 'right']).toContain(layout.align);
    // The title starts on the right, the minimize button sits on the left.
    expect(layout.minimize.right).toBeLessThan(layout.title.left);
    // The bot speaks from the right (the start side), the user's own bubble sits on the left.
    expect(Math.abs(layout.bot.right - layout.log.right)).toBeLessThan(2);
    expect(Math.abs(layout.user.left - layout.log.left)).toBeLessThan(2);
    // The corner is the host's choice (bottom-right), not mirrored.
    const viewport = page.viewportSize()!;
    const button = (await page.getByRole('button', { name: 'Close support', exact: true }).boundingBox())!;
    expect(viewport.width - (button.x + button.width)).toBeLessThan(40);
    expect(viewport.width - (layout.panel.x + layout.panel.width)).toBeLessThan(40);
    await context.close();
  });
});
