import type { Browser, Page, Route } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import { newContext, watchErrors, watchRequests, withChromiumAndDemo, type Demo } from './support';

/** A built file's size as a page downloads it compressed (gzip, level 9, as `npm run size` counts). */
const gzipped = (name: string) =>
  gzipSync(readFileSync(new URL(`../../packages/${name === 'loader.js' ? 'loader' : 'widget'}/dist/${name}`, import.meta.url)), { level: 9 }).length;
/** A demo file the page fetched (`/flows/…`, `/proactive/…`), gzipped as a server would send it. */
const gzippedExample = (path: string) => gzipSync(readFileSync(new URL(`../../examples${path}`, import.meta.url)), { level: 9 }).length;

let browser: Browser;
let demo: Demo;

withChromiumAndDemo({ relay: false }, (b, d) => ([browser, demo] = [b, d]));

const launcher = (page: Page) => page.getByRole('button', { name: 'Open support', exact: true });

/** In the page: sets `window.__shownAt` in a task after the first frame in which the widget's `selector` has a size. */
const markFirstFrame = (selector: string) => {
  const check = () => {
    const el = document.querySelector('madoguchi-widget')?.shadowRoot?.querySelector(selector);
    const box = el?.getBoundingClientRect();
    if (box && box.width > 0 && box.height > 0) setTimeout(() => ((window as any).__shownAt = performance.now()));
    else requestAnimationFrame(check);
  };
  requestAnimationFrame(check);
};

describe('the launcher comes first', () => {
  it('fetches nothing of the help centre before the panel opens; opening and typing bring suggestions', async () => {
    const context = await newContext(browser);
    const page = await context.newPage();
    const errors = watchErrors(page);
    const requests = watchRequests(page);
    // The FAQ file arrives only after the visitor has typed: the suggestions come without another keystroke.
    let release!: () => void;
    const released = new Promise<void>((resolve) => (release = resolve));
    await page.route('**/faq/en.json', async (route) => {
      await released;
      await route.continue();
    });
    await page.goto(`${demo.url}?transport=loopback`);
    await launcher(page).waitFor();
    // Flows and proactive rules load at boot; give the page time to settle, as a visitor reading it would.
    await page.waitForLoadState('networkidle');
    await page.waitForTimeout(1000);
    expect(requests.filter((p) => p.startsWith('/faq/'))).toEqual([]);
    expect(requests.filter((p) => p.includes('madoguchi-search'))).toEqual([]);
    await launcher(page).click();
    await expect.poll(() => requests.filter((p) => p.startsWith('/faq/'))).toEqual(['/faq/en.json']);
    await page.getByRole('textbox', { name: 'Message' }).pressSequentially('passw', { delay: 30 });
    await page.waitForTimeout(300);
    expect(await page.getByRole('option').count()).toBe(0);
    release();
    await page.getByRole('option', { name: /I forgot my password/ }).waitFor();
    expect(errors).toEqual([]);
    await context.close();
  });

  it('downloads at most 30 KB gz before the first open with the demo config, and the flow engine and files only when a trigger fits', async () => {
    const context = await newContext(browser);
    const page = await context.newPage();
    const errors = watchErrors(page);
    const requests = watchRequests(page);
    await page.goto(`${demo.url}?transport=loopback`);
    await launcher(page).waitFor();
    await page.waitForLoadState('networkidle');
    await page.waitForTimeout(1000);
    const scripts = requests.filter((p) => p.startsWith('/madoguchi/'));
    const names = scripts.map((p) => p.slice('/madoguchi/'.length)).sort();
    // The loader, the widget, the flows' trigger check and the proactive rules: no flow engine,
    // no transport (nothing to carry yet), no panel views, no help centre.
    expect(names).toEqual(['loader.js', 'madoguchi-insights.js', 'madoguchi-triggers.js', 'madoguchi.js']);
    // Of JSON, the flow index (every trigger, no flow) and the proactive rules.
    const json = requests.filter((p) => p.endsWith('.json')).sort();
    expect(json).toEqual(['/flows/flows.index.json', '/proactive/rules.json']);
    const bytes = names.reduce((sum, name) => sum + gzipped(name), 0) + json.reduce((sum, path) => sum + gzippedExample(path), 0);
    expect(bytes).toBeLessThanOrEqual(30 * 1024);
    // "Your orders", then the host reports a click on "Return": the return-policy flow's trigger fits.
    await page.getByRole('link', { name: 'Your orders' }).click();
    await page.evaluate(() => (window as unknown as { Madoguchi: (...a: unknown[]) => void }).Madoguchi('track', 'return-clicked'));
    await expect.poll(() => requests.filter((p) => p.endsWith('/madoguchi-flow.js'))).toHaveLength(1);
    await expect.poll(() => requests.filter((p) => p.startsWith('/flows/') && !p.endsWith('.index.json')).sort()).toEqual(
      ['activation-delay', 'ask-order-number', 'device-setup', 'order-status', 'return-policy', 'support-router'].map((f) => `/flows/${f}.json`),
    );
    await launcher(page).click();
    await page.getByText(/return most items within 30 days/).waitFor();
    // The index stamps every file the build validated, and they are unchanged: no validator.
    expect(requests.filter((p) => p.includes('flow-check'))).toEqual([]);
    expect(errors).toEqual([]);
    await context.close();
  });

  it("with faqLoad 'idle', fetches nothing of the help centre while the page stays busy, and all of it once the browser is idle, the panel still closed", async () => {
    const context = await newContext(browser);
    const page = await context.newPage();
    const errors = watchErrors(page);
    const requests = watchRequests(page);
    const ofHelp = () => requests.filter((p) => p.startsWith('/faq/') || p.includes('madoguchi-search'));
    await page.goto(`${demo.url}?transport=loopback&faqLoad=idle`);
    await launcher(page).waitFor();
    const bootedAt = Date.now();
    // The page keeps the main thread busy: a task of 40 ms after another, so the browser is never idle.
    await page.evaluate(() => {
      const w = window as unknown as { busy: boolean };
      w.busy = true;
      const channel = new MessageChannel();
      channel.port1.onmessage = () => {
        const until = performance.now() + 40;
        while (performance.now() < until);
        if (w.busy) channel.port2.postMessage(0);
      };
      channel.port2.postMessage(0);
    });
    // Well past the 5 s after boot that 'idle' waits before it looks for an idle period.
    await page.waitForTimeout(Math.max(0, 8000 - (Date.now() - bootedAt)));
    expect(ofHelp()).toEqual([]);
    await page.evaluate(() => ((window as unknown as { busy: boolean }).busy = false));
    await expect.poll(ofHelp, { timeout: 10_000 }).toEqual(expect.arrayContaining(['/faq/en.json', '/madoguchi/madoguchi-search.js']));
    expect(await launcher(page).getAttribute('aria-expanded')).toBe('false');
    expect(await page.getByRole('dialog', { name: 'Support' }).isVisible()).toBe(false);
    expect(errors).toEqual([]);
    await context.close();
  }, 30_000);

  it("shows the launcher while the search engine and the flows' trigger check are still on their way", async () => {
    const context = await newContext(browser);
    const page = await context.newPage();
    const held: Route[] = [];
    let release!: () => void;
    const released = new Promise<void>((resolve) => (release = resolve));
    await page.route(/\/madoguchi\/madoguchi-(search|triggers)\.js$/, async (route) => {
      held.push(route);
      await released;
      await route.continue();
    });
    // faqLoad=boot asks for the search engine at boot too, so both engines are on the critical path if anything is.
    await page.goto(`${demo.url}?transport=loopback&faqLoad=boot`);
    await launcher(page).waitFor({ timeout: 5000 });
    await expect.poll(() => held.map((r) => new URL(r.request().url()).pathname).sort()).toEqual(['/madoguchi/madoguchi-search.js', '/madoguchi/madoguchi-triggers.js']);
    expect(await launcher(page).isVisible()).toBe(true);
    release();
    await launcher(page).click();
    await page.getByRole('textbox', { name: 'Message' }).pressSequentially('passw', { delay: 30 });
    await page.getByRole('option', { name: /I forgot my password/ }).waitFor();
    await context.close();
  });

  it("asks for no engine's code before the launcher's first frame is painted, however fast the network", async () => {
    const context = await newContext(browser);
    const page = await context.newPage();
    await page.addInitScript(markFirstFrame, '.launcher');
    // A slow phone's CPU: the launcher mounts in a task of its own after `ready`, and a frame may come between.
    await (await context.newCDPSession(page)).send('Emulation.setCPUThrottlingRate', { rate: 4 });
    // The demo config with the help centre at boot: flows' trigger check, proactive rules and search all start then.
    await page.goto(`${demo.url}?transport=loopback&faqLoad=boot`);
    await launcher(page).waitFor({ timeout: 5000 });
    const engines = /\/madoguchi-(search|triggers|insights)\.js$/;
    await expect.poll(() => page.evaluate((source) => performance.getEntriesByType('resource').filter((e) => new RegExp(source).test(e.name)).length, engines.source)).toBe(3);
    const { launcherAt, starts } = await page.evaluate((source) => ({
      launcherAt: (window as any).__shownAt as number,
      starts: performance.getEntriesByType('resource').filter((e) => new RegExp(source).test(e.name)).map((e) => e.startTime),
    }), engines.source);
    expect(launcherAt).toBeGreaterThan(0);
    for (const start of starts) expect(start).toBeGreaterThanOrEqual(launcherAt - 1);
    await context.close();
  });

  it("asks for the line's and the help centre's code only after the panel's first frame is painted", async () => {
    const context = await newContext(browser);
    const page = await context.newPage();
    await page.goto(`${demo.url}?transport=loopback`);
    await launcher(page).waitFor({ timeout: 5000 });
    const engines = /\/madoguchi-(search|transports)\.js$/;
    const asked = () => page.evaluate((source) => performance.getEntriesByType('resource').filter((e) => new RegExp(source).test(e.name)).map((e) => e.startTime), engines.source);
    // Pointed at, the launcher fetches the panel's views: as a visitor's pointer does before the click.
    await launcher(page).hover();
    await expect.poll(() => page.evaluate(() => performance.getEntriesByType('resource').some((e) => /\/madoguchi-ui\.js$/.test(e.name) && (e as PerformanceResourceTiming).responseEnd > 0))).toBe(true);
    await page.waitForTimeout(200);
    expect(await asked()).toEqual([]);
    await page.evaluate(markFirstFrame, '[role="dialog"]');
    await launcher(page).click();
    await expect.poll(async () => (await asked()).length).toBe(2);
    const panelAt = await page.evaluate(() => (window as any).__shownAt as number);
    expect(panelAt).toBeGreaterThan(0);
    for (const start of await asked()) expect(start).toBeGreaterThanOrEqual(panelAt - 1);
    await context.close();
  });

  // An Error records the stack it is made on. With DevTools or any protocol client attached (as
  // Lighthouse, WebPageTest and this test are), V8 then collects source positions for every frame
  // on it, and for madoguchi.js's top level that is a re-parse of the whole file: 20–35 ms at 4× CPU,
  // which made its first task a long one in most loads.
  it('makes no Error object while it loads, boots and shows the launcher', async () => {
    const context = await newContext(browser);
    const page = await context.newPage();
    await page.addInitScript(() => {
      const made: string[] = ((window as any).__errorsMade = []);
      const note = (what: string, stack: string | undefined) => {
        if (/\/madoguchi\/madoguchi[^/]*\.js/.test(stack || '')) made.push(`${what}\n${stack}`);
      };
      const watch = <C extends new (...args: any[]) => object>(name: string, C: C) =>
        new Proxy(C, {
          construct(target, args, newTarget) {
            const made = Reflect.construct(target, args, newTarget) as { stack?: string };
            note(`new ${name}(${String(args[0] ?? '')})`, made.stack);
            return made;
          },
          apply(target, self, args) {
            const made = Reflect.apply(target as any, self, args) as { stack?: string };
            note(`${name}(${String(args[0] ?? '')})`, made.stack);
            return made;
          },
        });
      (window as any).Error = watch('Error', Error);
      (window as any).DOMException = watch('DOMException', DOMException);
      // Aborting without a reason makes an AbortError.
      const abort = AbortController.prototype.abort;
      AbortController.prototype.abort = function (this: AbortController, ...args: unknown[]) {
        if (!args.length) note('AbortController.abort()', new (Error as any)().stack);
        return abort.apply(this, args as []);
      };
      const abortSignal = AbortSignal.abort;
      AbortSignal.abort = (...args: unknown[]) => {
        if (!args.length) note('AbortSignal.abort()', new (Error as any)().stack);
        return abortSignal.apply(AbortSignal, args as []);
      };
    });
    await page.goto(`${demo.url}?transport=loopback`);
    await launcher(page).waitFor();
    await page.waitForLoadState('networkidle');
    await page.waitForTimeout(1000);
    expect(await page.evaluate(() => (window as any).__errorsMade)).toEqual([]);
    await context.close();
  });
});

/** Stores a conversation of `count` agent messages as an earlier version of the widget left it (no time index yet). */
const seedHistory = (page: Page, count: number) =>
  page.evaluate(
    (count) =>
      new Promise<void>((resolve, reject) => {
        const request = indexedDB.open('madoguchi-acme', 1);
        request.onupgradeneeded = () => request.result.createObjectStore('records');
        request.onerror = () => reject(request.error);
        request.onsuccess = () => {
          const db = request.result;
          const t = db.transaction('records', 'readwrite');
          const s = t.objectStore('records');
          const start = Date.now() - count * 60000;
          s.put({ schema: 3 }, 'meta');
          s.put({ conversationId: 'long', visitorId: 'v-long' }, 's');
          s.put({ id: 'long', status: 'open', createdAt: start, updatedAt: Date.now() }, 'c:long');
          for (let i = 1; i <= count; i++)
            s.put({ id: `h${i}`, conversationId: 'long', author: 'agent', authorName: 'Mika', text: `History ${i}`, at: start + i * 60000 }, `m:long:h${i}`);
          t.oncomplete = () => (db.close(), resolve());
          t.onerror = () => reject(t.error);
        };
      }),
    count,
  );

/** Counts the messages the page reads from IndexedDB: whole ranges of them (getAll) and cursor steps. */
const COUNT_READS = `(() => {
  const reads = (window.__reads = { ranges: 0, steps: 0 });
  const wrap = (proto, name) => {
    const original = proto[name];
    proto[name] = function (query, ...rest) {
      if (query instanceof IDBKeyRange && String(query.lower).startsWith('m:')) reads.ranges++;
      return original.call(this, query, ...rest);
    };
  };
  wrap(IDBObjectStore.prototype, 'getAll');
  wrap(IDBObjectStore.prototype, 'getAllKeys');
  const step = IDBCursor.prototype.continue;
  IDBCursor.prototype.continue = function (...args) {
    reads.steps++;
    return step.apply(this, args);
  };
})()`;

describe('history by page', () => {
  it('restores 10,000 stored messages by reading only the latest page; "Show earlier messages" reads the next', async () => {
    const context = await newContext(browser);
    const url = `${demo.url}?transport=loopback&storage=always`;
    const seeding = await context.newPage();
    await seeding.goto(`${demo.url}?widget=off`);
    await seedHistory(seeding, 10_000);
    await seeding.close();

    const page = await context.newPage();
    const errors = watchErrors(page);
    await page.addInitScript({ content: COUNT_READS });
    await page.goto(url);
    await launcher(page).waitFor();
    await launcher(page).click();
    const dialog = page.getByRole('dialog', { name: 'Support' });
    // Messages only: the thread also holds day headings and the button for earlier ones.
    const items = dialog.locator('.log > li.msg');
    await expect.poll(() => items.last().textContent()).toContain('History 10000');
    // The latest 30 messages of the 60 read, and the button for earlier ones.
    expect(await items.count()).toBe(30);
    await dialog.getByRole('button', { name: 'Show earlier messages' }).waitFor();
    expect(await items.nth(0).textContent()).toContain('History 9971');
    const reads = await page.evaluate(() => (window as any).__reads);
    expect(reads.ranges).toBe(0);
    expect(reads.steps).toBeLessThan(200);

    // The rest of memory, and the next page read from storage ahead of the next click.
    await dialog.getByRole('button', { name: 'Show earlier messages' }).click();
    await expect.poll(() => items.count()).toBe(60);
    await dialog.getByRole('button', { name: 'Show earlier messages' }).click();
    await expect.poll(() => items.count()).toBe(90);
    expect(await items.nth(0).textContent()).toContain('History 9911');
    expect(await items.last().textContent()).toContain('History 10000');
    expect((await page.evaluate(() => (window as any).__reads)).ranges).toBe(0);
    expect(errors).toEqual([]);
    await context.close();
  });
});
