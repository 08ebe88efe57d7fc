// `node scripts/pack-check.mjs`: what `npm pack` would publish for each package under packages/.
// Fails when a package lacks its README or LICENSE or a declared entry point (main, module, types,
// exports, bin), or would ship sources or tests. Prints files and sizes. Run `npm run build` first.
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));

/** Files that belong in the repository but not in a published package, with the reason. */
const NOT_SHIPPED = [
  [/(^|\/)(src|test|tests|__tests__)\//, 'a source or test folder'],
  [/\.(test|spec)\.[cm]?[jt]sx?$/, 'a test'],
  [/\.(test|spec)\.d\.[cm]?ts$/, 'the types of a test'],
  [/(?<!\.d)\.[cm]?tsx?$/, 'TypeScript source'],
  [/(^|\/)tsconfig[^/]*\.json$/, 'a TypeScript project file'],
  [/(^|\/)(vitest|rollup|vite)\.config\.[cm]?[jt]s$/, 'a build or test config'],
  [/(^|\/)\.(env|npmrc)/, 'a local settings file'],
];

/** Every file path a package.json declares as an entry point, with the field that declares it. */
export function entryPoints(pkg) {
  const found = [];
  for (const field of ['main', 'module', 'types', 'typings', 'browser'])
    if (typeof pkg[field] === 'string') found.push([field, pkg[field]]);
  if (typeof pkg.bin === 'string') found.push(['bin', pkg.bin]);
  else for (const [name, path] of Object.entries(pkg.bin || {})) found.push([`bin.${name}`, path]);
  const walk = (value, at) => {
    if (typeof value === 'string') found.push([at, value]);
    else if (Array.isArray(value)) value.forEach((v, i) => walk(v, `${at}[${i}]`));
    else if (value && typeof value === 'object') for (const [key, v] of Object.entries(value)) walk(v, `${at}[${JSON.stringify(key)}]`);
  };
  walk(pkg.exports, 'exports');
  return found.map(([field, path]) => [field, path.replace(/^\.\//, '')]);
}

/** Why this pack result should not be published; empty when it is fine. */
export function checkPackage(pkg, packed) {
  const files = packed.files.map((f) => f.path.replace(/\\/g, '/'));
  const problems = [];
  if (!files.some((f) => /^readme(\.md|\.markdown|\.txt)?$/i.test(f))) problems.push('no README.md');
  if (!files.some((f) => /^licen[cs]e(\.md|\.txt)?$/i.test(f))) problems.push('no LICENSE');
  for (const [field, path] of entryPoints(pkg)) {
    if (path.includes('*')) {
      const pattern = new RegExp(`^${path.split('*').map((p) => p.replace(/[.+?^${}()|[\]\\]/g, '\\$&')).join('.+')}$`);
      if (!files.some((f) => pattern.test(f))) problems.push(`${field}: no file matches ${path}`);
    } else if (!files.includes(path)) problems.push(`${field}: ${path} is not in the package`);
  }
  for (const file of files) {
    const hit = NOT_SHIPPED.find(([pattern]) => pattern.test(file));
    if (hit) problems.push(`ships ${file} (${hit[1]})`);
  }
  return problems;
}

/** `npm pack --dry-run --json` in the package's folder, without running its scripts. */
function pack(dir) {
  const out = execFileSync('npm', ['pack', '--dry-run', '--json', '--ignore-scripts'], { cwd: dir, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  return JSON.parse(out)[0];
}

const size = (n) => (n < 1024 ? `${n} B` : `${(n / 1024).toFixed(1)} KB`);

function main() {
  const dirs = readdirSync(join(root, 'packages'))
    .map((name) => join(root, 'packages', name))
    .filter((dir) => existsSync(join(dir, 'package.json')));
  let failed = false;
  console.log(`${'package'.padEnd(22)}${'files'.padStart(6)}${'packed'.padStart(11)}${'unpacked'.padStart(11)}  check`);
  for (const dir of dirs) {
    const pkg = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8'));
    if (pkg.private) continue;
    const packed = pack(dir);
    const problems = checkPackage(pkg, packed);
    failed ||= problems.length > 0;
    console.log(`${pkg.name.padEnd(22)}${String(packed.entryCount).padStart(6)}${size(packed.size).padStart(11)}${size(packed.unpackedSize).padStart(11)}  ${problems.length ? 'FAIL' : 'ok'}`);
    for (const problem of problems) console.log(`    ${problem}`);
  }
  if (failed) {
    console.error('\nSome packages would not publish as declared (run `npm run build` first if dist/ files are missing).');
    process.exitCode = 1;
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] || '').href) main();
