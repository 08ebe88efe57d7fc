import { faqCommand } from './faq';
import { flowCommand } from './flow';
import { reportCommand } from './report';
import { UsageError, type CliIO } from './io';

export type { CliIO } from './io';

const USAGE = `Usage: madoguchi <command>

  flow validate <files...> [--json]            check flow files; exit 1 on any error
  flow test <flow.json> <transcript.json>      run a flow against an expected transcript
  flow graph <flow.json>                       print the flow as a Mermaid diagram
  flow preview <flow.json> [--port 8080]       a local page: the widget running the flow beside its diagram
  faq build <articles.json|dir|file.csv> -o <index.json>
                                               build a prebuilt FAQ search index
  faq search <index.json|articles.json> --queries <queries.json> [--top 10] [--json]
                                               run queries, one JSON line per query
  report <events.ndjson> -o <report.html>      a self-contained insights report
`;

/** Runs the `madoguchi` command line; resolves to the process exit code. */
export async function run(argv: string[], io: CliIO): Promise<number> {
  const [command, ...rest] = argv;
  try {
    switch (command) {
      case 'flow':
        return await flowCommand(rest, io);
      case 'faq':
        return await faqCommand(rest, io);
      case 'report':
        return await reportCommand(rest, io);
      case undefined:
      case '-h':
      case '--help':
      case 'help':
        io.stdout(USAGE);
        return command ? 0 : 2;
      default:
        throw new UsageError(`unknown command "${command}"`);
    }
  } catch (error) {
    if (error instanceof UsageError) {
      io.stderr(`madoguchi: ${error.message}\n\n${USAGE}`);
      return 2;
    }
    io.stderr(`madoguchi: ${error instanceof Error ? error.message : String(error)}\n`);
    return 1;
  }
}
