// `npm run demo`: serves the example host page with the widget, and the agent console. The relay
// keeps conversations in ./relay-data (PGlite), or in Postgres when DATABASE_URL is set.
import { fileURLToPath } from 'node:url';
import { startDemoServer } from './demo-server.mjs';

const port = Number(process.env.PORT || 5173);
const relayOptions = process.env.DATABASE_URL
  ? { databaseUrl: process.env.DATABASE_URL }
  : { dataDir: process.env.RELAY_DATA_DIR || fileURLToPath(new URL('../relay-data', import.meta.url)) };
const demo = await startDemoServer({ port, host: process.env.HOST || '127.0.0.1', relayOptions });
console.log(`Madoguchi demo
  Host page:     ${demo.url}
  Agent console: ${demo.agentUrl}${demo.relay ? '' : ' (relay not available in this build)'}
Press Ctrl+C to stop.`);
const stop = () => demo.close().then(() => process.exit(0));
process.on('SIGINT', stop);
process.on('SIGTERM', stop);
