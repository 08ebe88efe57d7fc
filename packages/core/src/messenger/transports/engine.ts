// The transports and the line over them, loaded when there is first something to carry.
export { openLine } from './line';
export { createWebSocketTransport } from '../../transport/websocket';
export { createHttpTransport } from '../../transport/http';
export { createWebhookTransport } from '../../transport/webhook';
