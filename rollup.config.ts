import { fileURLToPath } from 'node:url';
import { existsSync } from 'node:fs';
import type { Plugin, PreRenderedChunk, RollupOptions } from 'rollup';
import esbuild from 'rollup-plugin-esbuild';
import resolve from '@rollup/plugin-node-resolve';
import terser from '@rollup/plugin-terser';

const here = (path: string) => fileURLToPath(new URL(path, import.meta.url));

/**
 * Resolves `@madoguchi/core` and its subpaths (`@madoguchi/core/messenger`, `…/markdown`) to their
 * sources, so bundles never depend on a stale dist.
 */
const coreSource: Plugin = {
  name: 'madoguchi-core-source',
  resolveId(id) {
    if (id === '@madoguchi/core') return here('./packages/core/src/index.ts');
    const sub = /^@madoguchi\/core\/([\w-]+)$/.exec(id);
    if (!sub) return null;
    const dir = here(`./packages/core/src/${sub[1]}/index.ts`);
    return existsSync(dir) ? dir : here(`./packages/core/src/${sub[1]}.ts`);
  },
};

/**
 * nanostores 1.x shares its epoch counter through `globalThis.nanostoresGlobal`; the script-tag
 * bundle holds the only copy it uses, so it keeps the counter to itself and adds no global to the page.
 */
const noNanostoresGlobal: Plugin = {
  name: 'madoguchi-no-nanostores-global',
  transform(code, id) {
    if (!/nanostores[\\/]atom[\\/]index\.js$/.test(id)) return null;
    const local = code.replace('(globalThis.nanostoresGlobal ||= { epoch: 0 })', '{ epoch: 0 }');
    if (local === code) this.error('nanostores changed how it keeps its epoch: update noNanostoresGlobal');
    return { code: local, map: null };
  },
};

/** Chunks loaded on demand are named after what they hold: madoguchi-search.js, madoguchi-ja.js… */
const FEATURES: Array<[RegExp, string]> = [
  [/messenger[\\/](\w+)[\\/]engine\.ts$/, ''],
  [/messenger[\\/]flows[\\/]triggers\.ts$/, 'triggers'],
  [/messenger[\\/]flows[\\/]check\.ts$/, 'flow-check'],
  [/i18n-ja\.ts$/, 'ja'],
  [/i18n-en\.ts$/, 'en'],
  [/markdown[\\/]index\.ts$/, 'markdown'],
  [/ui[\\/]extras\.tsx?$/, 'ui'],
  [/i18n-custom\.ts$/, 'strings'],
];
const chunkName = (chunk: PreRenderedChunk) => {
  // A chunk other chunks import from too (the flow engine: the flow check shares its helpers) has
  // no facade: it is named after the feature module it holds.
  const ids = chunk.facadeModuleId ? [chunk.facadeModuleId] : chunk.moduleIds;
  for (const [pattern, name] of FEATURES) {
    const match = ids.map((id) => pattern.exec(id)).find(Boolean);
    // The flows folder's engine keeps the file name it has always had: madoguchi-flow.js.
    if (match) return name || (match[1] === 'flows' ? 'flow' : match[1]!);
  }
  return chunk.name;
};

/**
 * Writes chunks.json beside the bundles: every file with what it imports at once and what it
 * loads on demand, so `npm run size` can add up what a page downloads before the first open.
 */
const chunkManifest: Plugin = {
  name: 'madoguchi-chunk-manifest',
  generateBundle(_options, bundle) {
    const chunks = Object.values(bundle)
      .filter((c) => c.type === 'chunk')
      .map((c) => ({ file: c.fileName, name: c.name, entry: c.isEntry, dynamic: c.isDynamicEntry, imports: c.imports, dynamicImports: c.dynamicImports }));
    this.emitFile({ type: 'asset', fileName: 'chunks.json', source: JSON.stringify(chunks, null, 1) });
  },
};

/**
 * The stylesheets' line breaks, dropped: they are written one rule per line, and every break
 * follows a brace, a semicolon or a comma, where CSS needs no whitespace (a check below keeps it so).
 */
const compactCss: Plugin = {
  name: 'compact-css',
  transform(code, id) {
    if (!/[\\/](styles|panel-styles)\.ts$/.test(id)) return null;
    return code.replace(/(CSS = `)([^`]*)`/g, (_, head: string, css: string) => {
      const loose = /[^{};,`\s]\s*\n/.exec(head.slice(-1) + css);
      if (loose) throw new Error(`${id}: a line break in the stylesheet after "${loose[0].trim()}" may be needed whitespace`);
      return head + css.replace(/\n\s*/g, '') + '`';
    });
  },
};

/**
 * Marks madoguchi.js for eager compilation (V8's explicit compile hints, Chrome 136 and later):
 * Chromium then compiles its functions while the file streams in, off the main thread, instead of
 * on first call inside the boot and mount tasks. Nearly all of it runs at boot. At 4× CPU this took
 * the demo's page from a long task in 12 of 12 loads to 5 of 12. Other browsers read a comment.
 */
const eagerEntry: Plugin = {
  name: 'madoguchi-eager-entry',
  renderChunk: {
    order: 'post',
    handler: (code, chunk) => (chunk.isEntry ? { code: `//# allFunctionsCalledOnLoad\n${code}`, map: null } : null),
  },
};

const ts = (define?: Record<string, string>) =>
  esbuild({
    target: 'es2020',
    jsx: 'automatic',
    jsxImportSource: 'preact',
    tsconfig: here('./tsconfig.json'),
    ...(define && { include: /\.[cm]?[jt]sx?$/, exclude: [], define }),
  });

/** Browser bundles are production builds: dependencies' development checks are dropped. */
const production = { 'process.env.NODE_ENV': '"production"' };

const minify = () =>
  terser({
    ecma: 2020,
    module: true,
    compress: { passes: 3, pure_getters: true, unsafe_arrows: true },
    format: { comments: false },
  });

const browser = { resolve: () => resolve({ browser: true, extensions: ['.ts', '.tsx', '.js'] }) };

/** Where the widget's dependencies come from in the npm build: the app's own copies. */
const npmExternal = [/^preact/, /^@preact\//, 'nanostores', 'idb-keyval'];

const config: RollupOptions[] = [
  {
    input: here('./packages/loader/src/loader.ts'),
    plugins: [ts(), minify()],
    output: { file: here('./packages/loader/dist/loader.js'), format: 'iife' },
  },
  {
    // The script tag's files: madoguchi.js (an ES module the loader inserts) and the chunks it
    // imports on demand, with every dependency inside. The same dynamic imports as the npm build.
    input: { madoguchi: here('./packages/widget/src/script-tag.ts') },
    plugins: [compactCss, coreSource, noNanostoresGlobal, browser.resolve(), ts(production), minify(), eagerEntry, chunkManifest],
    output: {
      dir: here('./packages/widget/dist'),
      format: 'es',
      entryFileNames: '[name].js',
      chunkFileNames: (chunk) => `madoguchi-${chunkName(chunk)}.js`,
    },
  },
  {
    // The npm build: the messenger and its UI with core inside (so engines split into chunks),
    // Preact and nanostores left to the app's bundler.
    input: here('./packages/widget/src/index.ts'),
    external: npmExternal,
    // Minified like the script tag's files, so an app's bundle is no heavier than they are.
    plugins: [compactCss, coreSource, ts(), minify()],
    output: { dir: here('./packages/widget/dist'), format: 'es', entryFileNames: 'index.js', chunkFileNames: (chunk) => `chunks/${chunkName(chunk)}-[hash].js` },
  },
  {
    // Headless: everything at `@madoguchi/core`; `@madoguchi/core/messenger` alone splits its engines off.
    input: {
      index: here('./packages/core/src/index.ts'),
      messenger: here('./packages/core/src/messenger/index.ts'),
      markdown: here('./packages/core/src/markdown/index.ts'),
    },
    external: ['nanostores', 'idb-keyval'],
    plugins: [ts()],
    output: {
      dir: here('./packages/core/dist'),
      format: 'es',
      // Subpath entries live apart from the declaration folders of the same name (dist/messenger/).
      entryFileNames: (chunk) => (chunk.name === 'index' ? 'index.js' : 'subpath/[name].js'),
      chunkFileNames: (chunk) => `chunks/${chunkName(chunk)}-[hash].js`,
    },
  },
  {
    // Next.js renders a module that uses hooks and context only on the client when it says so.
    input: here('./packages/react/src/index.ts'),
    external: [/^react(\/|$)/, 'madoguchi'],
    plugins: [ts()],
    output: { file: here('./packages/react/dist/index.js'), format: 'es', banner: "'use client';" },
  },
  {
    input: here('./packages/vue/src/index.ts'),
    external: ['vue', 'madoguchi'],
    plugins: [ts()],
    output: { file: here('./packages/vue/dist/index.js'), format: 'es' },
  },
  {
    // The agent console the relay serves at /agent.
    input: here('./packages/relay/src/console/main.tsx'),
    plugins: [browser.resolve(), ts(production), minify()],
    output: { file: here('./packages/relay/dist/console.js'), format: 'es' },
  },
  {
    input: here('./packages/cli/src/cli.ts'),
    external: [/^node:/, 'yaml'],
    plugins: [coreSource, resolve({ extensions: ['.ts', '.js'], preferBuiltins: true }), ts()],
    output: { file: here('./packages/cli/dist/cli.js'), format: 'es', inlineDynamicImports: true },
  },
];

export default config;
