// `npm run demo`: serves the example host page with the widget, and the agent console.
import { startDemoServer } from './demo-server.mjs';

const port = Number(process.env.PORT || 5173);
const demo = await startDemoServer({ port, host: process.env.HOST || '127.0.0.1' });
console.log(`Madoguchi demo
  Host page:     ${demo.url}
  Agent console: ${demo.agentUrl}${demo.relay ? '' : ' (relay not available in this build)'}
Press Ctrl+C to stop.`);
const stop = () => demo.close().then(() => process.exit(0));
process.on('SIGINT', stop);
process.on('SIGTERM', stop);
