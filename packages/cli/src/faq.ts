import { mkdir, readFile, readdir, rm, stat, writeFile } from 'node:fs/promises';
import { basename, extname, join, resolve } from 'node:path';
import { parseDocument } from 'yaml';
import { gzipSync } from 'node:zlib';
import { buildSearchIndex, compactSearchIndex, createSearchIndexFrom, validateArticles } from '@madoguchi/core';
import { runGroup, type CommandGroup } from './command';
import { UsageError, type CliIO } from './io';

/** A row read from a source file, with the line it starts on. */
interface SourceRow {
  file: string;
  line: number;
  row: unknown;
}

/** `madoguchi faq …`: one entry per subcommand. */
export const faqCommands: CommandGroup = {
  build: {
    description: 'build a search index from articles: a .json file, a folder of .md files or a .csv',
    args: '<articles>',
    options: {
      out: { type: 'string', short: 'o', value: '<index.json>', description: 'where to write the index (required)' },
      synonyms: { type: 'string', value: '<synonyms.json>', description: 'synonyms, { "refund": ["money back"] }' },
    },
    run: ({ args, options }, io) => {
      if (!options.out) throw new UsageError('faq build: give --out <index.json> (or -o)');
      return build(args[0], options.out as string, options.synonyms as string | undefined, io);
    },
  },
  search: {
    description: 'run queries against an index or an articles file',
    args: '<index.json>',
    options: {
      queries: { type: 'string', value: '<queries.json>', description: 'the queries, [{ "id", "text" }] (required)' },
      top: { type: 'string', value: '<n>', description: 'results per query (default 10)' },
      locale: { type: 'string', value: '<locale>', description: 'only articles in this language (en, ja)' },
      json: { type: 'boolean', description: 'one JSON line per query' },
    },
    run: ({ args, options }, io) => {
      if (!options.queries) throw new UsageError('faq search: give --queries <queries.json>');
      const top = Number(options.top ?? 10);
      if (!(Number.isInteger(top) && top >= 1)) throw new UsageError(`faq search: --top needs a positive whole number, got "${options.top}"`);
      return search(args[0], options.queries as string, top, options.locale as string | undefined, !!options.json, io);
    },
  },
};

/** `madoguchi faq build | search`. */
export const faqCommand = (args: string[], io: CliIO): Promise<number> => runGroup('faq', faqCommands, args, io);

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
  const { articles: withBodies, ...index } = compactSearchIndex(buildSearchIndex(articles, { synonyms }));
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
  // Beside the articles as one JSON file (what `faq` could point at instead), both gzipped as a server sends them.
  const gz = (text: string) => gzipSync(text, { level: 9 }).length;
  const [packed, raw] = [gz(json), gz(JSON.stringify(articles))];
  io.stderr(
    `${out}: ${articles.length} articles, index ${kb(json.length)} (${kb(packed)} gzipped, ${Math.round((100 * packed) / raw)}% of the ${kb(raw)} of the articles' JSON gzipped), ` +
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
      Object.assign(row, readFrontMatter(fm[1], file));
    }
    row.body = body.trim();
    rows.push({ file, line: 1, row });
  }
  return rows;
}

/**
 * The YAML between the `---` lines: a mapping of article fields (`tags` as a flow `[a, b]` or a
 * block `- a` list). Errors name the file's line (the block starts on line 2).
 */
function readFrontMatter(yaml: string, file: string): Record<string, unknown> {
  const doc = parseDocument(yaml, { prettyErrors: false, uniqueKeys: true });
  const problem = doc.errors[0];
  if (problem) {
    const line = (problem.linePos?.[0].line ?? 1) + 1;
    throw new Error(`${file}:${line}: the front matter is not valid YAML (${problem.message.split('\n')[0]})`);
  }
  const data: unknown = doc.toJS();
  if (data == null) return {};
  if (typeof data != 'object' || Array.isArray(data)) throw new Error(`${file}:2: the front matter must be "key: value" lines`);
  const row = { ...(data as Record<string, unknown>) };
  // `id: 42` or `tags: [2024]` are numbers to YAML and names here.
  if (typeof row.id == 'number') row.id = String(row.id);
  if (typeof row.tags == 'string') row.tags = [row.tags];
  if (Array.isArray(row.tags)) row.tags = row.tags.map((t) => (typeof t == 'number' ? String(t) : t));
  return row;
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

