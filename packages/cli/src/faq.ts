import { mkdir, readFile, readdir, rm, stat, writeFile } from 'node:fs/promises';
import { basename, extname, join, resolve } from 'node:path';
import { gzipSync } from 'node:zlib';
import { buildSearchIndex, createSearchIndexFrom, validateArticles } from '@madoguchi/core';
import { UsageError, type CliIO } from './io';

const FAQ_USAGE =
  'usage: madoguchi faq build <articles.json | dir of .md | file.csv> -o <index.json> [--synonyms <synonyms.json>]\n' +
  '       madoguchi faq search <index.json | articles.json> --queries <queries.json> [--top 10] [--locale ja] [--json]';

/** A row read from a source file, with the line it starts on. */
interface SourceRow {
  file: string;
  line: number;
  row: unknown;
}

/** `madoguchi faq build | search`. */
export async function faqCommand(args: string[], io: CliIO): Promise<number> {
  const [sub, ...rest] = args;
  const flag = (name: string) => {
    const at = rest.indexOf(name);
    return at >= 0 ? rest[at + 1] : undefined;
  };
  const valued = new Set(['-o', '--out', '--queries', '--top', '--locale', '--synonyms']);
  const files = rest.filter((a, i) => !a.startsWith('-') && !valued.has(rest[i - 1]));
  if (sub == 'build') {
    const out = flag('-o') ?? flag('--out');
    if (files.length != 1 || !out) throw new UsageError(`faq build needs one source and -o <index.json>\n${FAQ_USAGE}`);
    return build(files[0], out, flag('--synonyms'), io);
  }
  if (sub == 'search') {
    const queries = flag('--queries');
    const top = Number(flag('--top') ?? 10);
    if (files.length != 1 || !queries) throw new UsageError(`faq search needs an index and --queries <queries.json>\n${FAQ_USAGE}`);
    if (!(top >= 1)) throw new UsageError('--top must be a positive number');
    return search(files[0], queries, top, flag('--locale'), rest.includes('--json'), io);
  }
  throw new UsageError(sub ? `unknown faq command "${sub}"\n${FAQ_USAGE}` : FAQ_USAGE);
}

async function build(source: string, out: string, synonymsFile: string | undefined, io: CliIO): Promise<number> {
  const started = performance.now();
  const path = resolve(io.cwd, source);
  const rows = (await stat(path)).isDirectory()
    ? await readMarkdownDir(path, source)
    : extname(path).toLowerCase() == '.csv'
      ? readCsv(await readFile(path, 'utf8'), source)
      : readJsonRows(await readFile(path, 'utf8'), source);
  if (rows.length >= 1000) io.stderr(`indexing ${rows.length} articles from ${source}…\n`);
  const { articles, problems } = validateArticles(rows.map((r) => r.row));
  for (const p of problems) {
    const m = /^\$\[(\d+)\]\.?(.*)$/.exec(p.path)!;
    const r = rows[+m[1]];
    io.stderr(`${r.file}:${r.line}: ${m[2] ? `${m[2]}: ` : ''}${typeof r.row == 'string' ? r.row : p.message}\n`);
  }
  if (problems.length) {
    io.stderr(`${problems.length} bad article(s); no index written\n`);
    return 1;
  }
  const synonyms = synonymsFile ? (JSON.parse(await readFile(resolve(io.cwd, synonymsFile), 'utf8')) as Record<string, string[]>) : undefined;
  const { articles: withBodies, ...index } = buildSearchIndex(articles, { synonyms }).toJSON();
  // The index holds titles and postings; each article (body and all) goes to a file of its own beside it.
  const outPath = resolve(io.cwd, out);
  const dir = `${outPath.replace(/\.json$/i, '')}.articles`;
  const articlePath = `${basename(dir)}/{n}.json`;
  const json = JSON.stringify({ ...index, articlePath, articles: withBodies.map(({ body, ...meta }) => meta) });
  await mkdir(dir, { recursive: true });
  // Article files of an earlier, larger build go; nothing else in the folder is touched.
  for (const name of await readdir(dir)) if (/^\d+\.json$/.test(name) && +name.slice(0, -5) >= articles.length) await rm(join(dir, name));
  let bodies = 0;
  for (const [n, a] of withBodies.entries()) {
    const text = JSON.stringify(a);
    bodies += text.length;
    await writeFile(join(dir, `${n}.json`), text);
  }
  await writeFile(outPath, json);
  const kb = (n: number) => `${(n / 1024).toFixed(0)} KB`;
  io.stderr(
    `${out}: ${articles.length} articles, index ${kb(json.length)} (${kb(gzipSync(json).length)} gzipped), ` +
      `articles in ${articlePath.replace('/{n}.json', '/')} ${kb(bodies)}, in ${Math.round(performance.now() - started)} ms\n`,
  );
  return 0;
}

async function search(indexFile: string, queriesFile: string, top: number, locale: string | undefined, json: boolean, io: CliIO): Promise<number> {
  const { index, problems } = createSearchIndexFrom(JSON.parse(await readFile(resolve(io.cwd, indexFile), 'utf8')));
  for (const p of problems) io.stderr(`${indexFile}: ${p.path}: ${p.message}\n`);
  if (!index.size) return 1;
  const queries = JSON.parse(await readFile(resolve(io.cwd, queriesFile), 'utf8')) as { id: string; text: string }[];
  if (!Array.isArray(queries)) throw new Error(`${queriesFile}: expected an array of {id, text}`);
  for (const q of queries) {
    const hits = index.search(String(q.text ?? ''), { limit: top, locale });
    // What the messenger would offer if the query were sent as a question.
    const answer = index.answer(String(q.text ?? ''), { locale }).map((h) => h.id);
    io.stdout(
      json
        ? JSON.stringify({ id: q.id, results: hits.map((h) => ({ id: h.id, score: h.score, coverage: h.coverage })), answer }) + '\n'
        : `${q.id}: ${q.text}\n${hits.map((h, i) => `  ${i + 1}. ${h.id}  ${h.title}  (${h.score}, covers ${Math.round(100 * h.coverage)}%)${answer.includes(h.id) ? '  answer' : ''}\n`).join('')}`,
    );
  }
  return 0;
}

const lineAt = (text: string, offset: number) => text.slice(0, offset).split('\n').length;

/** Top-level elements of a JSON array (or of `{ "articles": [...] }`), each with its first line. */
function readJsonRows(text: string, file: string): SourceRow[] {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (e) {
    const at = /position (\d+)/.exec((e as Error).message);
    throw new Error(`${file}${at ? `:${lineAt(text, +at[1])}` : ''}: not valid JSON (${(e as Error).message})`);
  }
  const list = Array.isArray(data) ? data : (data as { articles?: unknown })?.articles;
  if (!Array.isArray(list)) throw new Error(`${file}:1: expected an array of articles`);
  // Where each element starts: the first non-space character at array depth 1.
  const starts: number[] = [];
  let depth = 0;
  let inString = false;
  const base = Array.isArray(data) ? 1 : 2;
  for (let i = 0, expect = false; i < text.length; i++) {
    const c = text[i];
    if (inString) {
      if (c == '\\') i++;
      else if (c == '"') inString = false;
      continue;
    }
    if (depth == base && expect && !/[\s,\]]/.test(c)) (starts.push(i), (expect = false));
    if (c == '"') inString = true;
    else if (c == '[' || c == '{') depth++, depth == base && c == '[' && (expect = true);
    else if (c == ']' || c == '}') depth--;
    else if (c == ',' && depth == base) expect = true;
  }
  return list.map((row, i) => ({ file, line: starts[i] != null ? lineAt(text, starts[i]) : 1, row }));
}

/** `.md` files with a front matter block (`id`, `title`, `locale`, `tags`, `url`, `updatedAt`); the id defaults to the file name. */
async function readMarkdownDir(dir: string, shown: string): Promise<SourceRow[]> {
  const names = (await readdir(dir)).filter((n) => n.endsWith('.md')).sort();
  if (!names.length) throw new Error(`${shown}: no .md files in this directory`);
  const rows: SourceRow[] = [];
  for (const name of names) {
    const text = (await readFile(join(dir, name), 'utf8')).replace(/^\uFEFF/, '');
    const file = join(shown, name);
    const row: Record<string, unknown> = { id: basename(name, '.md') };
    let body = text;
    const fm = /^---\r?\n([\s\S]*?)\r?\n---\r?\n?/.exec(text);
    if (fm) {
      body = text.slice(fm[0].length);
      for (const [i, line] of fm[1].split(/\r?\n/).entries()) {
        if (!line.trim() || line.trim().startsWith('#')) continue;
        const kv = /^([A-Za-z]+)\s*:\s*(.*)$/.exec(line);
        if (!kv) throw new Error(`${file}:${i + 2}: expected "key: value" in the front matter`);
        const value = kv[2].trim().replace(/^(["'])(.*)\1$/, '$2');
        row[kv[1]] = kv[1] == 'tags' ? value.replace(/^\[|\]$/g, '').split(',').map((t) => t.trim().replace(/^(["'])(.*)\1$/, '$2')).filter(Boolean) : value;
      }
    }
    row.body = body.trim();
    rows.push({ file, line: 1, row });
  }
  return rows;
}

/** RFC 4180 CSV with a header row (id, title, body, locale, tags separated by `;` or `|`, url, updatedAt). */
function readCsv(text: string, file: string): SourceRow[] {
  const records: { line: number; cells: string[] }[] = [];
  let cells: string[] = [];
  let cell = '';
  let quoted = false;
  let line = 1;
  let start = 1;
  text = text.replace(/^\uFEFF/, '');
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (c == '\n') line++;
    if (quoted) {
      if (c == '"' && text[i + 1] == '"') (cell += '"'), i++;
      else if (c == '"') quoted = false;
      else cell += c;
    } else if (c == '"' && !cell) quoted = true;
    else if (c == ',') cells.push(cell), (cell = '');
    else if (c == '\n' || c == '\r') {
      if (c == '\r' && text[i + 1] == '\n') continue;
      cells.push(cell);
      if (cells.some((x) => x.trim())) records.push({ line: start, cells });
      (cells = []), (cell = ''), (start = line);
    } else cell += c;
  }
  if (quoted) throw new Error(`${file}:${start}: a quoted field is never closed`);
  cells.push(cell);
  if (cells.some((x) => x.trim())) records.push({ line: start, cells });
  const [header, ...rest] = records;
  const columns = header?.cells.map((h) => h.trim()) ?? [];
  for (const need of ['id', 'title', 'body']) if (!columns.includes(need)) throw new Error(`${file}:1: the header row needs a "${need}" column`);
  return rest.map(({ line, cells }) => {
    const row: Record<string, unknown> = {};
    if (cells.length != columns.length) return { file, line, row: `expected ${columns.length} cells, found ${cells.length}` };
    columns.forEach((c, i) => {
      if (cells[i] !== '' || c == 'body') row[c] = c == 'tags' ? cells[i].split(/[;|]/).map((t) => t.trim()).filter(Boolean) : cells[i];
    });
    return { file, line, row };
  });
}

