// The command line from source, as the binary runs the build: `node --import tsx packages/cli/src/main.ts`.
import { main } from './cli';

await main();
