import type { Flow } from '../../flow';
import { checkFlowCalls, validateFlow } from '../../flow/validate';
import type { Kernel } from '../kernel';
import type { FlowSource } from './triggers';

/**
 * The flow validator as the flow part loads it, a chunk of its own: only when a flow file was not
 * built with `madoguchi flow build` (or changed since, or could not be fetched).
 *
 * Validates every file `built` has no stamped flow for, reports each problem with its path, and
 * returns the flows that may run, by id: a refused flow, and one that calls a missing flow or
 * itself, are left out.
 */
export function checkFlows(k: Kernel, results: FlowSource[], built: Array<Flow | undefined>): Record<string, Flow> {
  const next: Record<string, Flow> = {};
  results.forEach((r, i) => {
    let flow = built[i];
    if (!flow && r) {
      const result = validateFlow(r.json);
      flow = result.flow;
      for (const e of result.errors) k.report({ message: `${e.message} (flow ${r.name} refused)`, path: e.path });
      for (const w of result.warnings) k.warn({ code: 'flow', message: `${w.path}: ${w.message} (flow ${r.name})` });
      // The index decided when this flow starts: say so when it no longer tells what the file does.
      if (flow && r.listed && (r.name != flow.id || JSON.stringify(flow.trigger ?? null) != JSON.stringify(r.listed.trigger)))
        k.warn({ code: 'flow', message: `the flow index is out of date for ${r.name}: its entry's ${r.name != flow.id ? 'id' : 'trigger'} differs from the file's; run \`madoguchi flow build\`` });
    }
    if (flow) next[flow.id] = flow;
  });
  for (let problems = checkFlowCalls(Object.values(next)); problems.length; problems = checkFlowCalls(Object.values(next)))
    for (const problem of problems) {
      const id = problem.path.split(':')[0];
      k.report({ message: `${problem.message} (flow ${id} refused)`, path: problem.path });
      delete next[id];
    }
  return next;
}
