import type { Browser, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
// @ts-expect-error plain JavaScript module without types
import { startDemoServer } from '../../scripts/demo-server.mjs';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { cleanupSchemas, store } from '../../packages/relay/test/support';
import { agentOnline, launchChromium, newContext, openWidget } from './support';

interface RelayDemo {
  url: string;
  newAgentUrl(): Promise<string>;
  relayInstance: { inspect(): Promise<{ conversations: Array<{ phase: string; left: boolean }>; tickets: Array<{ id: string; packet: any }> }> };
  close(): Promise<void>;
}

let browser: Browser;
const running = new Set<RelayDemo>();

async function start(options: { port?: number; relayOptions?: object } = {}): Promise<RelayDemo> {
  const demo: RelayDemo = await startDemoServer({ port: 0, ...options, relayOptions: options.relayOptions ?? (await store()) });
  running.add(demo);
  return demo;
}
async function stop(demo: RelayDemo) {
  running.delete(demo);
  await demo.close();
}

beforeAll(async () => {
  browser = await launchChromium();
});
afterEach(async () => {
  for (const demo of [...running]) await stop(demo);
});
afterAll(async () => {
  await cleanupSchemas();
  await browser?.close();
});

/** The agent console, signed in as Sam. */
const goOnline = (demo: RelayDemo): Promise<Page> => agentOnline(browser, demo);

describe('handoff to a person through the real relay', () => {
  it('carries the context, keeps the place in line, and delivers what was typed while the relay was down exactly once', async () => {
    // The relay keeps its data in Postgres (or PGlite on disk), so the one started again finds everything.
    const dataDir = mkdtempSync(join(tmpdir(), 'madoguchi-relay-'));
    const stored = await store();
    const relayOptions = stored.databaseUrl ? stored : { dataDir };
    let demo = await start({ relayOptions });
    const user = await (await newContext(browser)).newPage();
    const crashes: string[] = [];
    user.on('pageerror', (e) => crashes.push(String(e)));
    await user.goto(demo.url);
    // Single-page navigation in the host page before asking: it belongs in the trail.
    await user.getByRole('link', { name: 'Router X' }).click();
    await expect.poll(() => user.evaluate(() => location.pathname)).toBe('/products/router-x');
    await openWidget(user);
    const dialog = user.getByRole('dialog', { name: 'Support' });
    const question = 'My router shows an error again after the update';
    await user.getByRole('textbox', { name: 'Message' }).fill(question);
    await user.getByRole('button', { name: 'Send', exact: true }).click();
    await user.getByRole('button', { name: 'Talk to a person' }).click();

    // Nobody online yet: the widget says so and offers e-mail follow-up.
    await dialog.getByText('Nobody is online right now.', { exact: false }).waitFor();
    // The address is known from the profile: offered, not asked for again.
    await dialog.getByRole('button', { name: 'Email me at aiko@example.com' }).waitFor();
    expect(await dialog.getByRole('textbox', { name: 'Email address' }).count()).toBe(0);

    const agent = await goOnline(demo);
    await dialog.getByText("You're next in line.", { exact: false }).waitFor();

    await agent.getByRole('list', { name: 'Conversations' }).getByRole('button', { name: /Aiko/ }).click();
    const context = agent.getByRole('complementary', { name: 'Context' });
    await context.getByText('aiko@example.com').waitFor();
    const panel = await context.innerText();
    expect(panel).toContain('Aiko');
    expect(panel).toMatch(/\/products\/router-x/);
    expect(panel).toContain(question); // the reason: the user's own words
    expect(panel).toMatch(/Severity\s+medium/);
    expect(panel).toMatch(/Effort\s+high/);
    expect(panel).toContain('frustration "again"');
    await agent.getByRole('list', { name: 'Transcript' }).getByText(question).waitFor();

    await agent.getByRole('button', { name: 'Accept' }).click();
    await dialog.getByText('Sam joined the conversation.').waitFor();

    await agent.getByRole('textbox', { name: 'Reply' }).fill('Sorry about that, let me look');
    await dialog.getByText('Sam is typing…').waitFor();
    await agent.getByRole('textbox', { name: 'Reply' }).fill('Sorry about that. Which firmware version do you see?');
    await agent.getByRole('button', { name: 'Send reply' }).click();
    await dialog.getByText('Sorry about that. Which firmware version do you see?').waitFor();

    // The relay goes down mid-conversation; the user keeps typing.
    const port = Number(new URL(demo.url).port);
    await stop(demo);
    for (const text of ['It says version 2.1', 'And the light is orange']) {
      await user.getByRole('textbox', { name: 'Message' }).fill(text);
      await user.getByRole('button', { name: 'Send', exact: true }).click();
    }
    await expect.poll(() => dialog.getByText('Will send when back online').count(), { timeout: 10_000 }).toBe(2);

    demo = await start({ port, relayOptions });
    const transcript = agent.getByRole('list', { name: 'Transcript' });
    await transcript.getByText('And the light is orange').waitFor({ timeout: 40_000 });
    await expect.poll(() => dialog.getByText('Will send when back online').count(), { timeout: 10_000 }).toBe(0);
    const lines = await transcript.getByRole('listitem').allInnerTexts();
    const at = (text: string) => lines.filter((line) => line.includes(text));
    expect(at('It says version 2.1')).toHaveLength(1);
    expect(at('And the light is orange')).toHaveLength(1);
    expect(at(question)).toHaveLength(1);
    expect(lines.findIndex((l) => l.includes('It says version 2.1'))).toBeLessThan(lines.findIndex((l) => l.includes('And the light is orange')));
    expect(crashes).toEqual([]);
    await stop(demo);
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('shows the place in line behind someone else, and the end when the agent closes', async () => {
    const demo = await start();
    const agent = await goOnline(demo);
    const ask = async (text: string) => {
      const page = await (await newContext(browser)).newPage();
      await page.goto(demo.url + '?user=anon');
      await openWidget(page);
      await page.getByRole('textbox', { name: 'Message' }).fill(text);
      await page.getByRole('button', { name: 'Send', exact: true }).click();
      await page.getByRole('button', { name: 'Talk to a person' }).click();
      return page;
    };
    const first = (await ask('Where is my parcel?')).getByRole('dialog', { name: 'Support' });
    await first.getByText("You're next in line.", { exact: false }).waitFor();
    const page = await ask('Can I change my plan?');
    await page.getByRole('dialog', { name: 'Support' }).getByText('1 person ahead of you.', { exact: false }).waitFor();
    // A reload keeps the place in line: the same packet goes again, nobody jumps the queue.
    await page.reload();
    const second = page.getByRole('dialog', { name: 'Support' });
    await second.getByText('1 person ahead of you.', { exact: false }).waitFor();
    const { conversations } = await demo.relayInstance.inspect();
    expect(conversations.filter((c) => c.phase === 'waiting' && !c.left)).toHaveLength(2);

    const waiting = agent.getByRole('list', { name: 'Conversations' }).getByRole('button', { name: /waiting #1/ });
    await waiting.click();
    await agent.getByRole('list', { name: 'Transcript' }).getByText('Where is my parcel?').waitFor();
    await agent.getByRole('button', { name: 'Accept' }).click();
    await first.getByText('Sam joined the conversation.').waitFor();
    // The one behind moves up.
    await second.getByText("You're next in line.", { exact: false }).waitFor();

    await agent.getByRole('button', { name: 'Close conversation' }).click();
    await first.getByText('This conversation has ended.').waitFor();
    await first.getByRole('button', { name: 'Talk to a person' }).waitFor();
  });

  it('files an e-mail follow-up as a ticket when nobody is online', async () => {
    const demo = await start();
    const user = await (await newContext(browser)).newPage();
    await user.goto(demo.url);
    await openWidget(user);
    const dialog = user.getByRole('dialog', { name: 'Support' });
    await user.getByRole('textbox', { name: 'Message' }).fill('I need an invoice for order 1042');
    await user.getByRole('button', { name: 'Send', exact: true }).click();
    await user.getByRole('button', { name: 'Talk to a person' }).click();
    // Another address than the profile's.
    await dialog.getByRole('button', { name: 'Email address' }).click();
    const email = dialog.getByRole('textbox', { name: 'Email address' });
    await email.fill('aiko@');
    await dialog.getByRole('button', { name: 'Email me', exact: true }).click();
    await dialog.getByRole('alert').getByText('Please enter an e-mail address', { exact: false }).waitFor();
    await email.fill('aiko.k@example.com');
    await dialog.getByRole('button', { name: 'Email me', exact: true }).click();
    await dialog.getByText('We will answer at aiko.k@example.com.').waitFor();
    await dialog.getByText('A person will answer by e-mail at aiko.k@example.com.', { exact: false }).waitFor();
    const { tickets } = await demo.relayInstance.inspect();
    expect(tickets).toHaveLength(1);
    const ticket = tickets[0];
    expect(ticket.packet.user).toMatchObject({ name: 'Aiko', email: 'aiko.k@example.com' });
    expect(ticket.packet.transcript.map((m: { text: string }) => m.text)).toContain('I need an invoice for order 1042');
  });
});
