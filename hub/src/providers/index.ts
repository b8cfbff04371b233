export { checkAnthropicKey } from './anthropic.js';
export type { CheckReason, CheckResult } from './http.js';
export { checkOpenrouterKey } from './openrouter.js';
export { checkSlackTokens } from './slack.js';
export { checkTelegramToken, TELEGRAM_TOKEN } from './telegram.js';
