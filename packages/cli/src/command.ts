import { parseArgs } from 'node:util';
import { UsageError, type CliIO } from './io';

/** One option of a command, as `parseArgs` takes it plus what `--help` prints. */
export interface OptionSpec {
  type: 'string' | 'boolean';
  short?: string;
  /** The value's placeholder in help, e.g. `<index.json>`. */
  value?: string;
  description: string;
}

/** What a command's `run` receives: its positional arguments and the options given. */
export interface CommandInput {
  args: string[];
  options: Record<string, string | boolean | undefined>;
}

/** A command or subcommand: one entry in a command table. */
export interface Command {
  description: string;
  /**
   * Positional arguments as the usage line shows them: `<name>` is required, `[name]` optional,
   * a trailing `...` takes one or more. The count given is checked against it.
   */
  args: string;
  options?: Record<string, OptionSpec>;
  run(input: CommandInput, io: CliIO): Promise<number>;
}

/** Subcommands by name, e.g. `flow validate`, `flow test`. */
export type CommandGroup = Record<string, Command>;

const HELP: OptionSpec = { type: 'boolean', short: 'h', description: 'show this help' };

function usageError(message: string, help: string): UsageError {
  const error = new UsageError(message);
  error.help = help;
  return error;
}

export const isGroup = (entry: Command | CommandGroup): entry is CommandGroup => typeof (entry as Command).run !== 'function';

/** `madoguchi <name> <args> [options]` with each option on a line of its own. */
export function commandHelp(name: string, command: Command): string {
  const options = Object.entries({ ...command.options, help: HELP });
  const flag = ([long, o]: [string, OptionSpec]) => `${o.short ? `-${o.short}, ` : '    '}--${long}${o.type === 'string' ? ` ${o.value || '<value>'}` : ''}`;
  const width = Math.max(...options.map((o) => flag(o).length));
  return (
    `Usage: madoguchi ${name}${command.args ? ` ${command.args}` : ''} [options]\n\n${command.description}\n\nOptions:\n` +
    options.map((o) => `  ${flag(o).padEnd(width)}  ${o[1].description}\n`).join('')
  );
}

/** `madoguchi <group> <subcommand>` lines for a group's help. */
export function groupHelp(name: string, group: CommandGroup): string {
  return `Usage: madoguchi ${name} <command> [options]\n\nCommands:\n${tableLines(usageRows(name, group))}\nRun "madoguchi ${name} <command> --help" for its options.\n`;
}

/** `[usage, description]` of each command of a group. */
export function usageRows(prefix: string, group: CommandGroup): Array<[string, string]> {
  return Object.entries(group).map(([sub, c]) => [`${prefix} ${sub}${c.args ? ` ${c.args}` : ''}`.trim(), c.description]);
}

/** One `usage   description` line per row, aligned. */
export function tableLines(rows: Array<[string, string]>): string {
  const width = Math.max(...rows.map(([usage]) => usage.length));
  return rows.map(([usage, description]) => `  ${usage.padEnd(width)}  ${description}\n`).join('');
}

/** Runs `<group> <sub> ...argv`: finds the subcommand, then parses and runs it. */
export async function runGroup(name: string, group: CommandGroup, argv: string[], io: CliIO): Promise<number> {
  const [sub, ...rest] = argv;
  if (sub === undefined) throw usageError(`"${name}" needs a command`, groupHelp(name, group));
  if (sub === '--help' || sub === '-h' || sub === 'help') {
    io.stdout(groupHelp(name, group));
    return 0;
  }
  const command = Object.hasOwn(group, sub) ? group[sub] : undefined;
  if (!command) throw usageError(`unknown command "${name} ${sub}"`, groupHelp(name, group));
  return runCommand(`${name} ${sub}`, command, rest, io);
}

/** Parses `argv` against the command's options and arguments, then runs it (or prints its help). */
export async function runCommand(name: string, command: Command, argv: string[], io: CliIO): Promise<number> {
  const help = commandHelp(name, command);
  const options = { ...command.options, help: HELP };
  let parsed: ReturnType<typeof parseArgs>;
  try {
    parsed = parseArgs({
      args: argv,
      options: Object.fromEntries(Object.entries(options).map(([long, o]) => [long, o.short ? { type: o.type, short: o.short } : { type: o.type }])),
      allowPositionals: true,
      strict: true,
    });
  } catch (error) {
    throw usageError(`${name}: ${explainParseError(error as Error & { code?: string }, options)}`, help);
  }
  if (parsed.values.help) {
    io.stdout(help);
    return 0;
  }
  const count = checkCount(command.args, parsed.positionals.length);
  if (count) throw usageError(`${name}: ${count}`, help);
  try {
    return await command.run({ args: parsed.positionals, options: parsed.values as CommandInput['options'] }, io);
  } catch (error) {
    if (error instanceof UsageError) error.help ??= help;
    throw error;
  }
}

/** A short sentence for what `parseArgs` refused. */
function explainParseError(error: Error & { code?: string }, options: Record<string, OptionSpec>): string {
  const quoted = /'(-[^']*)'/.exec(error.message)?.[1];
  if (error.code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION') {
    const close = Object.keys(options).find((long) => quoted && near(quoted.replace(/^-+/, ''), long));
    return `unknown option ${quoted ?? ''}${close ? ` (did you mean --${close}?)` : ''}`.trim();
  }
  if (error.code === 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE') {
    const long = /--([\w-]+)/.exec(error.message)?.[1];
    const o = long ? options[long] : undefined;
    if (o?.type === 'boolean') return `--${long} takes no value`;
    return `--${long ?? quoted} needs a value${o?.value ? ` (${o.value})` : ''}`;
  }
  return error.message;
}

/** One letter added, removed or changed, or a prefix of at least three letters. */
function near(a: string, b: string): boolean {
  if (a.length >= 3 && b.startsWith(a)) return true;
  if (Math.abs(a.length - b.length) > 1) return false;
  let i = 0;
  while (i < a.length && a[i] === b[i]) i++;
  const tail = (x: string, skip: number) => x.slice(i + skip);
  return tail(a, 1) === tail(b, 1) || tail(a, 1) === tail(b, 0) || tail(a, 0) === tail(b, 1);
}

/** Why `given` positional arguments do not fit the usage `args`; empty when they do. */
function checkCount(args: string, given: number): string {
  const parts = args.match(/<[^>]+>(\.\.\.)?|\[[^\]]+\]/g) || [];
  const required = parts.filter((p) => p.startsWith('<'));
  const variadic = parts.some((p) => p.endsWith('...'));
  const most = variadic ? Infinity : parts.length;
  if (given < required.length) return `missing ${required.slice(given).join(' ')}`;
  if (given > most) return most === 0 ? 'takes no arguments' : `too many arguments: expected ${args}`;
  return '';
}
