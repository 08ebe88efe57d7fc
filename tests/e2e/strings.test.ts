import type { Browser, Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { newContext, watchErrors, withChromiumAndDemo, type Demo } from './support';

let browser: Browser;
let demo: Demo;

withChromiumAndDemo({ relay: false }, (b, d) => ([browser, demo] = [b, d]));

const FRENCH = {
  fr: {
    open: "Ouvrir l'assistance",
    close: "Fermer l'assistance",
    title: 'Assistance',
    message: 'Message',
    send: 'Envoyer',
    human: 'Parler à une personne',
  },
  'fr-CA': { send: 'Soumettre' },
};

/** The demo page, with `locale` and `strings` added to the config it boots with, as a host page would write them. */
async function demoWith(locale: string, strings: unknown): Promise<{ page: Page; errors: string[]; warnings: string[] }> {
  const page = await (await newContext(browser)).newPage();
  const errors = watchErrors(page);
  const warnings: string[] = [];
  page.on('console', (m) => void (m.type() === 'warning' && warnings.push(m.text())));
  await page.addInitScript(
    ([locale, strings]) => {
      const queue = Object.assign(
        function (...args: unknown[]) {
          if (args[0] === 'boot') args[1] = { ...(args[1] as object), locale, strings };
          (queue.q ||= []).push(args);
        },
        { q: undefined as unknown[] | undefined },
      );
      (window as unknown as { Madoguchi: unknown }).Madoguchi = queue;
    },
    [locale, strings] as const,
  );
  await page.goto(`${demo.url}?transport=loopback`);
  return { page, errors, warnings };
}

describe('strings for any language, in a real browser', () => {
  it('names the launcher, the panel and its buttons from the French strings (fr-CA → fr → English)', async () => {
    const { page, errors } = await demoWith('fr-CA', FRENCH);
    await page.getByRole('button', { name: "Ouvrir l'assistance", exact: true }).click();
    const dialog = page.getByRole('dialog', { name: 'Assistance' });
    await dialog.waitFor();
    await page.getByRole('textbox', { name: 'Message' }).fill('Bonjour');
    await page.getByRole('button', { name: 'Soumettre', exact: true }).click();
    await dialog.getByText('Bonjour').first().waitFor();
    await page.getByRole('button', { name: 'Parler à une personne', exact: true }).waitFor();
    // Not given in French: English.
    expect(await dialog.getByRole('button', { name: 'Minimize' }).count()).toBe(1);
    expect(await page.getByRole('button', { name: "Fermer l'assistance", exact: true }).count()).toBe(1);
    expect(errors).toEqual([]);
    await page.context().close();
  });

  it('reports a bad value and an unknown key by path, and keeps working in English', async () => {
    const { page, errors, warnings } = await demoWith('fr', { fr: { open: 42, sned: 'Envoyer', title: 'Assistance' } });
    await page.getByRole('button', { name: 'Open support', exact: true }).click();
    await page.getByRole('dialog', { name: 'Assistance' }).waitFor();
    expect(errors).toEqual([expect.stringContaining('config strings.fr.open expected a string, got 42')]);
    expect(warnings).toContainEqual(expect.stringContaining(`config strings.fr.sned: "sned" is not one of the widget's strings`));
    await page.context().close();
  });
});
