// envtest/sqs: the SQS emulator (standard queues, long polling and visibility on an injected clock).
export { type Message, type Queue, type QueueAttributes, DEFAULT_QUEUE_ATTRIBUTES } from './model.js';
export { type SqsServer, type SqsServerOptions, SQS_TARGET_PREFIX, startSqsServer } from './server.js';
export { md5Hex, type ReceivedMessage, type ReceiveRequest, SqsState } from './state.js';
