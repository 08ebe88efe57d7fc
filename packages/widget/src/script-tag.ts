import type { Messenger } from '@madoguchi/core/messenger';
import { createMessenger } from './index';

type Command = [name: string, ...args: unknown[]];
type Global = ((...args: Command) => unknown) & { q?: ArrayLike<Command> };

const COMMANDS = ['boot', 'update', 'track', 'open', 'close', 'toggle', 'showArticle', 'startFlow', 'on', 'off', 'shutdown', 'debugContext'];

const w = window as unknown as { Madoguchi?: Global };
const queued = Array.from(w.Madoguchi?.q || []);
const messenger: Messenger = createMessenger();
let booted = false;
let waiting: Command[] = [];

/** `Madoguchi('command', …args)`: the script-tag face of the same methods. Never throws. */
function dispatch(...[name, ...args]: Command): unknown {
  if (!COMMANDS.includes(name)) {
    console.error(`[madoguchi] unknown command "${String(name)}"; expected one of ${COMMANDS.join(', ')}`);
    return;
  }
  if (name === 'boot') booted = true;
  else if (!booted && name !== 'on' && name !== 'off') {
    waiting.push([name, ...args]); // run once "boot" arrives
    return;
  }
  try {
    const result = (messenger as unknown as Record<string, (...a: unknown[]) => unknown>)[name]!(...args);
    if (name === 'shutdown') booted = false;
    if (name === 'boot') {
      const later = waiting;
      waiting = [];
      for (const command of later) dispatch(...command);
    }
    return result;
  } catch (cause) {
    console.error(`[madoguchi] "${name}" failed`, cause);
  }
}

w.Madoguchi = dispatch;
// The queued commands run in a task of their own, so evaluating this file and booting never add
// up to one long task on the host page.
setTimeout(() => {
  for (const command of queued) dispatch(...command);
});
