import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';

const source = fileURLToPath(new URL('./main.ts', import.meta.url));
// tsx from this repository, with its tsconfig (so @madoguchi/core is the source), whatever the working directory.
const tsx = pathToFileURL(join(dirname(createRequire(import.meta.url).resolve('tsx/package.json')), 'dist/loader.mjs')).href;
const tsconfig = fileURLToPath(new URL('../../../tsconfig.json', import.meta.url));
const bin = fileURLToPath(new URL('../bin/madoguchi.js', import.meta.url));
const built = fileURLToPath(new URL('../dist/cli.js', import.meta.url));
const { version } = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string };

/** Runs `madoguchi ...args` in a new process, as a user would (from source through tsx, or the built binary). */
function madoguchi(args: string[], cwd = tmpdir(), entry: string[] = ['--import', tsx, source]) {
  const r = spawnSync(process.execPath, [...entry, ...args], { cwd, encoding: 'utf8', timeout: 30_000, env: { ...process.env, TSX_TSCONFIG_PATH: tsconfig } });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

function folder(files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), 'madoguchi-cli-'));
  for (const [name, text] of Object.entries(files)) {
    mkdirSync(join(dir, name, '..'), { recursive: true });
    writeFileSync(join(dir, name), text);
  }
  return dir;
}

const readIndex = (dir: string, file: string) => JSON.parse(readFileSync(join(dir, file), 'utf8')) as { articles: Array<{ id: string; tags?: string[] }> };

describe('the madoguchi command', { timeout: 30_000 }, () => {
  it('lists every command, its options and the exit codes with --help', () => {
    const r = madoguchi(['--help']);
    expect(r.code).toBe(0);
    for (const usage of ['flow validate <files>...', 'flow test <flow.json> <transcript.json>', 'flow graph <flow.json>', 'faq build <articles>', 'faq search <index.json>', 'report [events.ndjson]'])
      expect(r.out).toContain(usage);
    expect(r.out).toContain('Exit codes: 0 ok, 1 the input failed');
    expect(r.err).toBe('');
  });

  it('shows the help of a group and of a subcommand', () => {
    const group = madoguchi(['faq', '--help']);
    expect(group.code).toBe(0);
    expect(group.out).toContain('Usage: madoguchi faq <command>');
    const sub = madoguchi(['faq', 'search', '-h']);
    expect(sub.code).toBe(0);
    expect(sub.out).toContain('Usage: madoguchi faq search <index.json> [options]');
    expect(sub.out).toMatch(/--queries <queries\.json> +the queries/);
    expect(madoguchi(['help', 'report']).out).toContain('-o, --out <report.html>');
  });

  it('prints the version of its package.json', () => {
    const r = madoguchi(['--version']);
    expect(r.code).toBe(0);
    expect(r.out).toBe(`${version}\n`);
  });

  it('takes --out=file and -o file alike, and block lists in Markdown front matter', () => {
    const dir = folder({
      'faq/refunds.md': '---\ntitle: Refunds\nlocale: en\ntags:\n  - returns\n  - money\n---\nRefunds reach your card in five days.\n',
      'faq/shipping.md': '---\nid: 42\ntitle: "Shipping: how long?"\ntags: [parcels]\n---\nThree days.\n',
    });
    const long = madoguchi(['faq', 'build', 'faq', '--out=long.json'], dir);
    expect(long.err).toContain('long.json: 2 articles');
    expect(long.code).toBe(0);
    expect(madoguchi(['faq', 'build', '-o', 'short.json', 'faq'], dir).code).toBe(0);
    for (const file of ['long.json', 'short.json']) {
      const { articles } = readIndex(dir, file);
      expect(articles.map((a) => [a.id, a.tags])).toEqual([
        ['refunds', ['returns', 'money']],
        ['42', ['parcels']],
      ]);
    }
  });

  it('names the file and line of front matter that is not YAML, and exits 1', () => {
    const dir = folder({ 'faq/bad.md': '---\ntitle: Fine\ntags: [unclosed\n---\nBody\n' });
    const r = madoguchi(['faq', 'build', 'faq', '-o', 'index.json'], dir);
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/faq\/bad\.md:\d+: the front matter is not valid YAML/);
    expect(existsSync(join(dir, 'index.json'))).toBe(false);
  });

  it('refuses an unknown option with exit 2, naming it and showing the usage', () => {
    const r = madoguchi(['faq', 'build', 'faq', '-o', 'x.json', '--synonym', 'synonyms.json']);
    expect(r.code).toBe(2);
    expect(r.err).toContain('faq build: unknown option --synonym (did you mean --synonyms?)');
    expect(r.err).toContain('Usage: madoguchi faq build <articles> [options]');
    expect(r.out).toBe('');
  });

  it('refuses a missing argument, a missing value and an unknown command with exit 2', () => {
    const missing = madoguchi(['flow', 'test', 'only-the-flow.json']);
    expect([missing.code, missing.err.split('\n')[0]]).toEqual([2, 'madoguchi: flow test: missing <transcript.json>']);
    const value = madoguchi(['report', '--sample', '3', '-o']);
    expect([value.code, value.err.split('\n')[0]]).toEqual([2, 'madoguchi: report: --out needs a value (<report.html>)']);
    const unknown = madoguchi(['flow', 'draw', 'x.json']);
    expect([unknown.code, unknown.err.split('\n')[0]]).toEqual([2, 'madoguchi: unknown command "flow draw"']);
    expect(madoguchi([]).code).toBe(2);
  });

  it('exits 1 when a file fails validation', () => {
    const dir = folder({ 'broken.json': JSON.stringify({ id: 'b', version: 1, start: 'nowhere', nodes: {} }) });
    const r = madoguchi(['flow', 'validate', 'broken.json'], dir);
    expect(r.code).toBe(1);
    expect(r.out).toContain('✗ broken.json');
  });

  it.skipIf(!existsSync(built))('runs as the built binary (after npm run build)', () => {
    const r = madoguchi(['--version'], tmpdir(), [bin]);
    expect([r.code, r.out]).toEqual([0, `${version}\n`]);
    expect(madoguchi(['report', '--bogus'], tmpdir(), [bin]).code).toBe(2);
  });
});
