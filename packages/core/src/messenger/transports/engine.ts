// The network transports, loaded when the config names one.
export { createWebSocketTransport } from '../../transport/websocket';
export { createHttpTransport } from '../../transport/http';
export { createWebhookTransport } from '../../transport/webhook';
