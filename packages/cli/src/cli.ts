import { readFileSync } from 'node:fs';
import { isGroup, runCommand, runGroup, tableLines, usageRows, type Command, type CommandGroup } from './command';
import { faqCommands } from './faq';
import { flowCommands } from './flow';
import { reportCommand } from './report';
import { UsageError, type CliIO } from './io';

export type { CliIO } from './io';
export type { Command, CommandGroup } from './command';

/** Every command: a group of subcommands (`flow validate`) or a command of its own (`report`). */
export const COMMANDS: Record<string, Command | CommandGroup> = {
  flow: flowCommands,
  faq: faqCommands,
  report: reportCommand,
};

/** What the process exits with. */
export const EXIT = {
  ok: 0,
  /** The input failed: an invalid flow or article, a transcript that did not match, a file that could not be read. */
  failed: 1,
  /** The command was called wrongly: an unknown command or option, a missing argument or value. */
  usage: 2,
} as const;

/** The version in the package's package.json (next to `src/` and `dist/` alike). */
export function version(): string {
  return (JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string }).version;
}

function usage(): string {
  const lines = tableLines(Object.entries(COMMANDS).flatMap(([name, entry]) => (isGroup(entry) ? usageRows(name, entry) : usageRows('', { [name]: entry }))));
  return (
    `Usage: madoguchi <command> [options]\n\nCommands:\n${lines}\n` +
    `Options:\n  -h, --help     show help (also after any command)\n  -v, --version  print the version\n\n` +
    `Exit codes: 0 ok, 1 the input failed (invalid file, test mismatch, unreadable file), 2 wrong usage.\n`
  );
}

/** Runs the `madoguchi` command line; resolves to the process exit code (see `EXIT`). */
export async function run(argv: string[], io: CliIO): Promise<number> {
  const [name, ...rest] = argv;
  try {
    if (name === '--version' || name === '-v') {
      io.stdout(`${version()}\n`);
      return EXIT.ok;
    }
    if (name === '--help' || name === '-h' || (name === 'help' && !rest.length)) {
      io.stdout(usage());
      return EXIT.ok;
    }
    if (name === 'help') return await run([...rest, '--help'], io);
    if (name === undefined) throw new UsageError('give a command');
    const entry = Object.hasOwn(COMMANDS, name) ? COMMANDS[name] : undefined;
    if (!entry) throw new UsageError(`unknown ${name.startsWith('-') ? 'option' : 'command'} "${name}"`);
    return await (isGroup(entry) ? runGroup(name, entry, rest, io) : runCommand(name, entry, rest, io));
  } catch (error) {
    if (error instanceof UsageError) {
      io.stderr(`madoguchi: ${error.message}\n\n${error.help ?? usage()}`);
      return EXIT.usage;
    }
    io.stderr(`madoguchi: ${error instanceof Error ? error.message : String(error)}\n`);
    return EXIT.failed;
  }
}

/** The binary: the real process's arguments, output and exit code. */
export async function main(argv = process.argv.slice(2)): Promise<void> {
  process.exitCode = await run(argv, {
    stdout: (text) => process.stdout.write(text),
    stderr: (text) => process.stderr.write(text),
    cwd: process.cwd(),
  });
}
