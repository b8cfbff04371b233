import { randomUUID } from 'node:crypto';
import { requireGateway } from './gateway.js';
import type { CommandHandler } from './types.js';

interface ChatFrame {
  runId?: string;
  sessionKey?: string;
  state?: string;
  deltaText?: string;
  errorMessage?: string;
  message?: { content?: { type?: string; text?: string }[] };
}

/**
 * `chat.send`: sends through the gateway's chat.send and streams the reply back as `running`
 * progress; the final text, model and token counts (from chat.history) are the result.
 */
export const chatSend: CommandHandler = async (ctx) => {
  const gw = await requireGateway(ctx);
  const { message, sessionKey } = ctx.params as { message: string; sessionKey: string };
  const idempotencyKey = `ds-${ctx.command.id}`.slice(0, 64) || randomUUID();
  const t0 = ctx.now();
  let runId: string | undefined;
  let text = '';
  const done = new Promise<void>((resolve, reject) => {
    const onEvent = (name: string, payload: unknown) => {
      if (name !== 'chat') return;
      const f = payload as ChatFrame;
      if (f.sessionKey !== sessionKey || (runId && f.runId && f.runId !== runId)) return;
      if (f.state === 'delta' && f.deltaText) {
        text += f.deltaText;
        ctx.progress({ message: f.deltaText });
      } else if (f.state === 'final' || f.state === 'error' || f.state === 'aborted') {
        const full = f.message?.content?.map((c) => c.text ?? '').join('') ?? '';
        if (full) text = full;
        cleanup();
        if (f.state === 'final') resolve();
        else reject(new Error(f.errorMessage ?? `chat ${f.state}`));
      }
    };
    const onAbort = () => {
      cleanup();
      reject(ctx.signal.reason ?? new Error('aborted'));
    };
    const cleanup = () => {
      gw.off('event', onEvent);
      ctx.signal.removeEventListener('abort', onAbort);
    };
    gw.on('event', onEvent);
    ctx.signal.addEventListener('abort', onAbort);
  });
  // Settled before it is awaited when the command is aborted during the send: handled here.
  done.catch(() => {});
  // A busy gateway can take tens of seconds just to accept a turn (12-13 s seen on a loaded
  // 2-core server): the command's own deadline bounds it, and the idempotency key makes it safe.
  const acceptMs = Math.max(30_000, ctx.deadline - ctx.now() - 1000);
  const r = await gw.request<{ runId?: string }>('chat.send', { sessionKey, message, idempotencyKey }, acceptMs);
  runId = r?.runId;
  await done;
  const latencyMs = ctx.now() - t0;
  // Token counts are on the transcript's assistant message, not on the live frames.
  let model: string | null = null;
  let tokensIn = 0;
  let tokensOut = 0;
  try {
    const h = await gw.request<{
      messages?: {
        role?: string;
        provider?: string;
        model?: string;
        usage?: { input?: number; output?: number };
        __openclaw?: { runId?: string };
      }[];
    }>('chat.history', { sessionKey, limit: 10 });
    const reply = [...(h.messages ?? [])]
      .reverse()
      .find((m) => m.role === 'assistant' && (!runId || m.__openclaw?.runId === runId));
    if (reply) {
      model = reply.model ? (reply.provider ? `${reply.provider}/${reply.model}` : reply.model) : null;
      tokensIn = Math.max(0, Math.round(reply.usage?.input ?? 0));
      tokensOut = Math.max(0, Math.round(reply.usage?.output ?? 0));
    }
  } catch {
    // the reply itself arrived; counts stay 0 rather than invented
  }
  return { text, model, tokensIn, tokensOut, latencyMs };
};
