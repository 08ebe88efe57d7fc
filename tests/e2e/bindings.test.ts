import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { extname, join, normalize } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchChromium, newContext, watchErrors } from './support';

const TYPES: Record<string, string> = { '.html': 'text/html; charset=utf-8', '.js': 'text/javascript', '.css': 'text/css' };

/** Serves a built example folder on a free port. */
async function serve(dir: string): Promise<{ url: string; server: Server }> {
  const server = createServer(async (request, response) => {
    const path = normalize(decodeURIComponent(new URL(request.url || '/', 'http://x').pathname)).replace(/^(\.\.[\\/])+/, '');
    const file = join(dir, path.endsWith('/') ? 'index.html' : path);
    try {
      const body = await readFile(file);
      response.writeHead(200, { 'content-type': TYPES[extname(file)] || 'application/octet-stream' });
      response.end(body);
    } catch {
      response.writeHead(404).end();
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/`, server };
}

const built = (name: string) => fileURLToPath(new URL(`../../examples/${name}/dist/`, import.meta.url));

let browser: Browser;
const servers: Server[] = [];

beforeAll(async () => {
  browser = await launchChromium();
});

afterAll(async () => {
  await browser?.close();
  for (const server of servers) server.close();
});

describe.each(['react', 'vue'])('the %s example app', (name) => {
  it('opens the widget from its Help button, sends a message and counts the reply that arrives closed', async () => {
    const dir = built(name);
    if (!existsSync(join(dir, 'index.html'))) throw new Error(`examples/${name} is not built: run npm run build:examples`);
    const { url, server } = await serve(dir);
    servers.push(server);
    const context = await newContext(browser);
    const page = await context.newPage();
    const errors = watchErrors(page);
    await page.goto(url);

    const help = page.getByRole('button', { name: /^Help/ });
    await help.click();
    const dialog = page.getByRole('dialog', { name: 'Support' });
    await dialog.waitFor();
    await expect(help.getAttribute('aria-expanded')).resolves.toBe('true');
    await page.getByRole('textbox', { name: 'Message' }).fill(`Hello from ${name}`);
    await page.getByRole('button', { name: 'Send', exact: true }).click();
    await dialog.getByText(`Hello from ${name}`).first().waitFor();

    // Closed before the echo arrives, the reply shows as unread on the app's own button.
    await help.click();
    await expect.poll(() => dialog.count()).toBe(0);
    await expect(help.getAttribute('aria-expanded')).resolves.toBe('false');
    await expect.poll(() => help.innerText(), { timeout: 5000 }).toBe('Help (1 unread)');

    // The widget's launcher and the app's button drive the same messenger.
    await page.getByRole('button', { name: 'Open support', exact: true }).click();
    await dialog.waitFor();
    await expect.poll(() => dialog.getByText(`Hello from ${name}`).count()).toBe(2);
    await expect.poll(() => help.innerText()).toBe('Help');
    await expect(page.locator('madoguchi-widget').count()).resolves.toBe(1);
    expect(errors).toEqual([]);
    await context.close();
  });
});
