import { describe, expect, it } from 'vitest';
// @ts-expect-error plain JavaScript module without types
import { checkPackage, entryPoints } from './pack-check.mjs';

const pack = (...paths: string[]) => ({ files: paths.map((path) => ({ path })) });

describe('pack-check', () => {
  it('finds every declared entry point, exports and bin included', () => {
    const pkg = {
      main: './dist/index.js',
      types: './dist/index.d.ts',
      bin: { madoguchi: './bin/madoguchi.js' },
      exports: { '.': { types: './dist/index.d.ts', import: './dist/index.js' }, './schema/*': './schema/*' },
    };
    expect(entryPoints(pkg)).toEqual([
      ['main', 'dist/index.js'],
      ['types', 'dist/index.d.ts'],
      ['bin.madoguchi', 'bin/madoguchi.js'],
      ['exports["."]["types"]', 'dist/index.d.ts'],
      ['exports["."]["import"]', 'dist/index.js'],
      ['exports["./schema/*"]', 'schema/*'],
    ]);
  });

  it('passes a package with its README, LICENSE and entry points, and nothing else', () => {
    const pkg = { main: './dist/index.js', exports: { '.': './dist/index.js', './schema/*': './schema/*' } };
    expect(checkPackage(pkg, pack('README.md', 'LICENSE', 'package.json', 'dist/index.js', 'dist/index.d.ts', 'schema/flow.schema.json'))).toEqual([]);
  });

  it('names what is missing and what should not ship', () => {
    const pkg = { main: './dist/index.js', types: './dist/index.d.ts', bin: './bin/cli.js', exports: { './schema/*': './schema/*' } };
    expect(checkPackage(pkg, pack('package.json', 'dist/index.js', 'src/index.ts', 'dist/ui/App.test.d.ts', 'dist/cli.test.js', 'tsconfig.build.json'))).toEqual([
      'no README.md',
      'no LICENSE',
      'types: dist/index.d.ts is not in the package',
      'bin: bin/cli.js is not in the package',
      'exports["./schema/*"]: no file matches schema/*',
      'ships src/index.ts (a source or test folder)',
      'ships dist/ui/App.test.d.ts (the types of a test)',
      'ships dist/cli.test.js (a test)',
      'ships tsconfig.build.json (a TypeScript project file)',
    ]);
  });
});
