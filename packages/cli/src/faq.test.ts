import { mkdtempSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { faqCommand } from './faq';

function setup(files: Record<string, string>) {
  const cwd = mkdtempSync(join(tmpdir(), 'faq-'));
  for (const [name, text] of Object.entries(files)) {
    mkdirSync(join(cwd, name, '..'), { recursive: true });
    writeFileSync(join(cwd, name), text);
  }
  const out = { stdout: '', stderr: '' };
  const io = { cwd, stdout: (t: string) => void (out.stdout += t), stderr: (t: string) => void (out.stderr += t) };
  return { cwd, out, run: (...args: string[]) => faqCommand(args, io) };
}

const queries = JSON.stringify([
  { id: 'q1', text: 'how do I get a refund' },
  { id: 'q2', text: 'パスワードを忘れました' },
]);
const articles = [
  { id: 'refund', locale: 'en', title: 'Refunds', body: 'Refunds reach your card in five days.' },
  { id: 'password-ja', locale: 'ja', title: 'パスワードの再設定', body: 'ログイン画面から再設定できます。' },
];

describe('faq build and search', () => {
  it('builds from articles.json and prints one JSON line per query', async () => {
    const t = setup({ 'articles.json': JSON.stringify(articles, null, 2), 'queries.json': queries });
    expect(await t.run('build', 'articles.json', '-o', 'index.json')).toBe(0);
    expect(JSON.parse(readFileSync(join(t.cwd, 'index.json'), 'utf8')).format).toBe('madoguchi-faq-index');
    expect(await t.run('search', 'index.json', '--queries', 'queries.json', '--top', '1', '--json')).toBe(0);
    const lines = t.out.stdout.trim().split('\n').map((l) => JSON.parse(l));
    expect(lines.map((l) => [l.id, l.results.map((r: { id: string }) => r.id)])).toEqual([
      ['q1', ['refund']],
      ['q2', ['password-ja']],
    ]);
    expect(typeof lines[0].results[0].score).toBe('number');
    expect(lines.map((l) => l.answer)).toEqual([['refund'], ['password-ja']]);
  });

  it('writes a compact index of titles and postings, each article in a file of its own', async () => {
    const many = Array.from({ length: 300 }, (_, i) => ({ id: `a${i}`, locale: 'en', title: `Topic ${i}`, body: `Refunds and returns, case ${i}. `.repeat(20) }));
    const t = setup({ 'articles.json': JSON.stringify(many), 'index.articles/999.json': '{}', 'index.articles/notes.txt': 'mine' });
    expect(await t.run('build', 'articles.json', '-o', 'index.json')).toBe(0);
    const text = readFileSync(join(t.cwd, 'index.json'), 'utf8');
    const index = JSON.parse(text);
    expect(index.articlePath).toBe('index.articles/{n}.json');
    const at = index.articles.findIndex((a: { id: string }) => a.id == 'a7');
    expect(index.articles[at]).toEqual({ id: 'a7', locale: 'en', title: 'Topic 7' });
    expect(text).not.toContain('Refunds and returns');
    expect(text.length).toBeLessThan(JSON.stringify(many).length / 5);
    expect(JSON.parse(readFileSync(join(t.cwd, `index.articles/${at}.json`), 'utf8'))).toEqual(many[7]);
    expect(() => readFileSync(join(t.cwd, 'index.articles/999.json'))).toThrow();
    expect(readFileSync(join(t.cwd, 'index.articles/notes.txt'), 'utf8')).toBe('mine');
    expect(t.out.stderr).toMatch(/index\.json: 300 articles, index \d+ KB \(\d+ KB gzipped, \d+% of the \d+ KB of the articles' JSON gzipped\)/);
  });

  it('searches an articles.json directly, without a build step', async () => {
    const t = setup({ 'articles.json': JSON.stringify(articles), 'queries.json': queries });
    expect(await t.run('search', 'articles.json', '--queries', 'queries.json', '--json')).toBe(0);
    expect(JSON.parse(t.out.stdout.split('\n')[0]).results[0].id).toBe('refund');
  });

  it('builds from a directory of Markdown files with front matter', async () => {
    const t = setup({
      'faq/refunds.md': '---\ntitle: Refunds\nlocale: en\ntags: [returns, money]\n---\nRefunds reach your card in **five** days.\n',
      'faq/shipping.md': '---\nid: ship-1\ntitle: "Shipping times"\n---\nParcels take three days.\n',
      'queries.json': queries,
    });
    expect(await t.run('build', 'faq', '-o', 'index.json')).toBe(0);
    const index = JSON.parse(readFileSync(join(t.cwd, 'index.json'), 'utf8'));
    expect(index.articles.map((a: { id: string }) => a.id)).toEqual(['refunds', 'ship-1']);
    expect(index.articles[0].tags).toEqual(['returns', 'money']);
    expect(await t.run('search', 'index.json', '--queries', 'queries.json', '--json')).toBe(0);
    expect(JSON.parse(t.out.stdout.split('\n')[0]).results[0].id).toBe('refunds');
  });

  it('builds from CSV with quoted fields spanning lines', async () => {
    const csv = 'id,title,body,tags\nrefund,Refunds,"Refunds reach your card.\nAsk us, ""any time"".",returns;money\nship,Shipping,Three days.,\n';
    const t = setup({ 'faq.csv': csv });
    expect(await t.run('build', 'faq.csv', '-o', 'index.json')).toBe(0);
    const index = JSON.parse(readFileSync(join(t.cwd, 'index.json'), 'utf8'));
    expect(JSON.parse(readFileSync(join(t.cwd, 'index.articles/0.json'), 'utf8')).body).toBe('Refunds reach your card.\nAsk us, "any time".');
    expect(index.articles[0].tags).toEqual(['returns', 'money']);
    expect(index.articles[1].id).toBe('ship');
  });

  it('names the file and line of bad rows and writes nothing', async () => {
    const json = '[\n  {"id": "a", "title": "A", "body": "x"},\n  {"id": "b",\n   "body": "no title"}\n]';
    const csv = 'id,title,body\nok,Fine,Body\nbroken,"Two\nlines",Body,extra\n,No id,Body\n';
    const t = setup({ 'a.json': json, 'b.csv': csv, 'c.json': '[{"id": "a",}]' });
    expect(await t.run('build', 'a.json', '-o', 'index.json')).toBe(1);
    expect(t.out.stderr).toContain('a.json:3: title: the title must be a non-empty string');
    expect(await t.run('build', 'b.csv', '-o', 'index.json')).toBe(1);
    expect(t.out.stderr).toContain('b.csv:3: expected 3 cells, found 4');
    expect(t.out.stderr).toContain('b.csv:5: id:');
    await expect(t.run('build', 'c.json', '-o', 'index.json')).rejects.toThrow(/c\.json:1: not valid JSON/);
    expect(() => readFileSync(join(t.cwd, 'index.json'))).toThrow();
  });

  it('explains its usage when called wrongly', async () => {
    const t = setup({});
    await expect(t.run('build', 'x.json')).rejects.toThrow(/--out <index.json>/);
    await expect(t.run('search', 'x.json')).rejects.toThrow(/--queries/);
  });
});
