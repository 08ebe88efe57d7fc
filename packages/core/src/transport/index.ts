export type * from './types';
export { createLoopbackTransport, type LoopbackOptions } from './loopback';
export { createWebSocketTransport, type WebSocketTransportOptions, type WebSocketLike } from './websocket';
export { createHttpTransport, identityHeaders, type HttpTransportOptions, type EventSourceLike } from './http';
export { createWebhookTransport, type WebhookTransportOptions } from './webhook';
export { createOutbox, type Outbox, type OutboxOptions, type OutboxPersist } from './outbox';
export { backoffDelay, parseFrame, transportError, type TransportError } from './backoff';
