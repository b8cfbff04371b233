export { Outbox, type OutboxEntry, type OutboxNotice, type OutboxOptions, type OutboxStream } from './outbox.js';
export { type PublishFn, Sender, type SenderOptions } from './sender.js';
export { newBootId, Stamper } from './stamper.js';
