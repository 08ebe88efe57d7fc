// Runs the relay alone: `PORT=8787 ALLOWED_ORIGINS=http://localhost:5173 node examples/relay/start.mjs`.
// ALLOWED_ORIGINS (comma-separated) names the pages whose widgets may connect; without it, only the
// relay's own origin.
import { createServer } from 'node:http';
import { createRelay } from './relay.mjs';

const port = Number(process.env.PORT || 8787);
const allowedOrigins = process.env.ALLOWED_ORIGINS?.split(',').map((o) => o.trim()).filter(Boolean);
const relay = createRelay({ allowedOrigins, log: (line) => console.log(new Date().toISOString(), line) });
const server = createServer((req, res) => {
  if (!relay.handleRequest(req, res)) {
    res.writeHead(404, { 'content-type': 'text/plain' });
    res.end('not found');
  }
});
server.on('upgrade', (req, socket, head) => {
  if (!relay.handleUpgrade(req, socket, head)) socket.destroy();
});
server.listen(port, () => {
  console.log(`relay:   ws://localhost:${port}/relay/ws  and  http://localhost:${port}/relay/http`);
  console.log(`console: http://localhost:${port}/agent`);
  console.log(`pages allowed to connect: ${allowedOrigins?.join(', ') || 'this origin only (set ALLOWED_ORIGINS)'}`);
});
