import { copyFileSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startPreview, type Preview } from '../../packages/cli/src/preview';
import { launchChromium, newContext, watchErrors } from './support';

let browser: Browser;
let preview: Preview;
let file: string;

const dir = mkdtempSync(join(tmpdir(), 'flow-preview-'));
/** The example flows, as shipped (a retried test starts from them again). */
const copyExamples = () => {
  for (const name of ['order-status.json', 'ask-order-number.json']) copyFileSync(join('examples/flows', name), join(dir, name));
  return join(dir, 'order-status.json');
};

beforeAll(async () => {
  file = copyExamples();
  [browser, preview] = await Promise.all([launchChromium(), startPreview(file, { port: 0 })]);
});
afterAll(async () => {
  await preview?.close();
  await browser?.close();
});

describe('madoguchi flow preview in a browser', () => {
  it('runs the flow in the widget beside its diagram, answers a request by hand, and reloads on a change', async () => {
    copyExamples();
    const context = await newContext(browser);
    const page = await context.newPage();
    const errors = watchErrors(page);
    await page.goto(preview.url);
    const dialog = page.getByRole('dialog', { name: 'Support' });
    await dialog.getByText('I can check where your order is.').waitFor();
    await dialog.getByText('What is your order number?').waitFor();
    // Mermaid drew the diagram, with the sub-flow call and the request in it.
    await page.locator('#diagram svg').waitFor();
    expect(await page.locator('#diagram svg').textContent()).toContain('runs ask-order-number');

    await page.getByRole('textbox', { name: 'Message' }).fill('MD-204518');
    await page.getByRole('button', { name: 'Send', exact: true }).click();
    const form = page.locator('#requests form');
    await form.waitFor();
    expect(await form.locator('label').textContent()).toContain('Request "order-lookup" with {"order":"MD-204518"}');
    await form.locator('textarea').fill('{"status":"shipped","eta":"Friday"}');
    await form.getByRole('button', { name: 'Answer' }).click();
    await dialog.getByText('Friday').waitFor();
    const scale = page.getByRole('group', { name: /recommend us/ });
    expect(await scale.getByRole('button').allTextContents()).toEqual(['0', '1', '2', '3', '4', '5', '6', '7', '8', '9', '10']);

    const flow = JSON.parse(readFileSync(file, 'utf8'));
    flow.nodes.hello.text.en = 'Let me look up your order.';
    const reloaded = page.waitForEvent('load');
    writeFileSync(file, JSON.stringify(flow));
    await reloaded;
    await dialog.getByText('Let me look up your order.').waitFor();
    expect(errors).toEqual([]);
    await context.close();
  });
});
