import { fileURLToPath } from 'node:url';
import type { Plugin, RollupOptions } from 'rollup';
import esbuild from 'rollup-plugin-esbuild';
import resolve from '@rollup/plugin-node-resolve';
import terser from '@rollup/plugin-terser';

const here = (path: string) => fileURLToPath(new URL(path, import.meta.url));

/** Resolves `@madoguchi/core` to its sources, so bundles never depend on a stale dist. */
const coreSource: Plugin = {
  name: 'madoguchi-core-source',
  resolveId: (id) => (id === '@madoguchi/core' ? here('./packages/core/src/index.ts') : null),
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

/** In the script-tag build, the heavy engines come as files of their own (see engines/load.ts). */
const enginesAsFiles: Plugin = {
  name: 'madoguchi-engines-as-files',
  resolveId: (id, importer) =>
    (id === './engines' && importer?.includes('messenger')) || id === './i18n-loader' || id === '../markdown-loader' || id === './extras-loader'
      ? here('./packages/widget/src/engines/load.ts')
      : null,
};

const ts = (define?: Record<string, string>) =>
  esbuild({
    target: 'es2020',
    jsx: 'automatic',
    jsxImportSource: 'preact',
    tsconfig: here('./tsconfig.json'),
    ...(define && { include: /\.[cm]?[jt]sx?$/, exclude: [], define }),
  });

/** What madoguchi-ui.js takes from madoguchi.js (see iife.ts), by module. */
const SHARED: Record<string, string> = {
  'preact/hooks': 'Madoguchi.$.h',
  'preact/jsx-runtime': 'Madoguchi.$.j',
  '@preact/signals': 'Madoguchi.$.s',
};

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

const config: RollupOptions[] = [
  {
    input: here('./packages/loader/src/loader.ts'),
    plugins: [ts(), minify()],
    output: { file: here('./packages/loader/dist/loader.js'), format: 'iife' },
  },
  {
    input: here('./packages/widget/src/iife.ts'),
    plugins: [coreSource, enginesAsFiles, noNanostoresGlobal, browser.resolve(), ts(production), minify()],
    output: { file: here('./packages/widget/dist/madoguchi.js'), format: 'iife' },
  },
  {
    // The views madoguchi.js loads on demand borrow its Preact, hooks, signals and Markdown view.
    input: here('./packages/widget/src/engines/ui.ts'),
    external: (id) => id in SHARED || id === './Markdown',
    plugins: [browser.resolve(), ts(production), minify()],
    output: {
      file: here('./packages/widget/dist/madoguchi-ui.js'),
      format: 'iife',
      globals: (id) => SHARED[id] || 'Madoguchi.$.m',
    },
  },
  ...['search', 'flow', 'handoff', 'insights', 'transports', 'ja', 'markdown'].map((name) => ({
    input: here(`./packages/widget/src/engines/${name}.ts`),
    plugins: [browser.resolve(), ts(production), minify()],
    output: { file: here(`./packages/widget/dist/madoguchi-${name}.js`), format: 'iife' as const },
  })),
  {
    input: here('./packages/widget/src/index.ts'),
    external: [/^preact/, /^@preact\//, 'nanostores', 'idb-keyval', '@madoguchi/core'],
    plugins: [ts()],
    output: { dir: here('./packages/widget/dist'), format: 'es', entryFileNames: 'index.js', chunkFileNames: 'chunks/[name]-[hash].js' },
  },
  {
    input: here('./packages/core/src/index.ts'),
    external: ['nanostores', 'idb-keyval'],
    plugins: [ts()],
    output: { dir: here('./packages/core/dist'), format: 'es', entryFileNames: 'index.js', chunkFileNames: 'chunks/[name]-[hash].js' },
  },
  {
    // The agent console the relay serves at /agent.
    input: here('./packages/relay/src/console/main.tsx'),
    plugins: [browser.resolve(), ts(production), minify()],
    output: { file: here('./packages/relay/dist/console.js'), format: 'es' },
  },
  {
    input: here('./packages/cli/src/cli.ts'),
    external: [/^node:/],
    plugins: [coreSource, resolve({ extensions: ['.ts', '.js'], preferBuiltins: true }), ts()],
    output: { file: here('./packages/cli/dist/cli.js'), format: 'es', inlineDynamicImports: true },
  },
];

export default config;
