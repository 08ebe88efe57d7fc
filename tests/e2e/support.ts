import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { afterAll, beforeAll } from 'vitest';
// @ts-expect-error plain JavaScript module without types
import { startDemoServer } from '../../scripts/demo-server.mjs';
import { DATABASE_URL, dropSchemas, freshSchema, postgresReachable } from '../../packages/relay/test/support';

export const CHROMIUM = process.env.CHROMIUM_PATH || '/usr/bin/chromium';
export const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-quic',
  '--no-first-run',
  '--disable-sync',
];

export function launchChromium(): Promise<Browser> {
  return chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS, headless: true });
}

export interface Demo {
  url: string;
  agentUrl: string;
  /** The console's address with a fresh one-time sign-in for the demo agent, Sam. */
  newAgentUrl(): Promise<string>;
  relay: boolean;
  close(): Promise<void>;
}

/**
 * The demo server on a free port. Its relay keeps data in a fresh schema of the local Postgres
 * server when one answers (it starts in a blink), else in PGlite in memory.
 */
export async function startDemo(options: { csp?: boolean; relay?: boolean; port?: number } = {}): Promise<Demo> {
  const schema = (await postgresReachable()) ? freshSchema() : undefined;
  // Every browser here comes from 127.0.0.1 as the same demo user: the suites start far more
  // conversations than the per-IP and per-visitor limits allow (the relay's own tests cover those).
  const limits = { conversationsPerIpPerMinute: 0, conversationsPerVisitorPerHour: 0, requestsPerIpPerSecond: 0, connectionsPerIp: 0 };
  const relayOptions = { limits, ...(schema ? { databaseUrl: DATABASE_URL, schema } : {}) };
  const demo: Demo = await startDemoServer({ port: 0, relayOptions, ...options });
  return {
    ...demo,
    async close() {
      await demo.close();
      if (schema) await dropSchemas([schema]);
    },
  };
}

/**
 * Starts Chromium and the demo server before a file's tests (handing both to `use`) and stops
 * them after the last one.
 */
export function withChromiumAndDemo(options: Parameters<typeof startDemo>[0], use: (browser: Browser, demo: Demo) => unknown) {
  let browser: Browser | undefined;
  let demo: Demo | undefined;
  beforeAll(async () => {
    [browser, demo] = await Promise.all([launchChromium(), startDemo(options)]);
    await use(browser, demo);
  });
  afterAll(async () => {
    await browser?.close();
    await demo?.close();
  });
}

/** The relay's agent console, signed in as the demo agent (Sam) through a one-time link, so a handoff waits in line and can be answered or closed. */
export async function agentOnline(browser: Browser, demo: Pick<Demo, 'newAgentUrl'>): Promise<Page> {
  const agent = await (await newContext(browser)).newPage();
  await agent.goto(await demo.newAgentUrl());
  await agent.getByText('Online as Sam').waitFor();
  return agent;
}

/** Collects console errors and uncaught page errors, so a test can assert there were none. */
export function watchErrors(page: Page): string[] {
  const errors: string[] = [];
  page.on('console', (message) => {
    if (message.type() === 'error') errors.push(message.text());
  });
  page.on('pageerror', (error) => errors.push(String(error)));
  return errors;
}

/** Paths of the requests the page makes, as they start. */
export function watchRequests(page: Page): string[] {
  const paths: string[] = [];
  page.on('request', (request) => paths.push(new URL(request.url()).pathname));
  return paths;
}

/** The widget's open shadow root is pierced by Playwright's role locators. */
export async function openWidget(page: Page, name = 'Open support') {
  await page.getByRole('button', { name, exact: true }).click();
  await page.getByRole('dialog').waitFor();
}

export async function newContext(browser: Browser, options: Parameters<Browser['newContext']>[0] = {}): Promise<BrowserContext> {
  return browser.newContext({ viewport: { width: 1280, height: 800 }, ...options });
}
