import type { Sequenced } from './types.js';

/** SQLSTATE classes that mean "this data can never be stored", not "the database is away". */
const isDataError = (e: unknown) => /^(22|23)/.test(String((e as { code?: unknown })?.code ?? ''));

/** What a committing loop reports while it retries; the writer decides how to count and log. */
export interface RetryHooks {
  /** A commit failed (nothing of it is acked). `retrying` is false for data errors. */
  failed(e: unknown, batchLength: number, retrying: boolean): void;
  /** The database refused this message for its data: it is dropped, never acked. */
  refused(m: Sequenced, e: unknown): void;
  /** A commit went through. */
  succeeded(): void;
  /** True once the writer is stopping: the retry loop gives up (the batch stays unacked). */
  stopped(): boolean;
}

/**
 * Commits `batch`, retrying with backoff while the database is unavailable. A batch that fails on
 * its data is split until the offending message is isolated and dropped, so one bad message
 * cannot stall everyone.
 */
export async function commitWithRetry(
  batch: Sequenced[],
  commit: (batch: Sequenced[]) => Promise<void>,
  hooks: RetryHooks,
): Promise<void> {
  let delay = 200;
  for (;;) {
    try {
      await commit(batch);
      hooks.succeeded();
      return;
    } catch (e) {
      const data = isDataError(e);
      hooks.failed(e, batch.length, !data);
      if (data) return split(batch, e, commit, hooks);
      if (hooks.stopped()) return;
      await new Promise((r) => setTimeout(r, delay));
      delay = Math.min(delay * 2, 10_000);
    }
  }
}

async function split(
  batch: Sequenced[],
  e: unknown,
  commit: (batch: Sequenced[]) => Promise<void>,
  hooks: RetryHooks,
): Promise<void> {
  if (batch.length === 1) return hooks.refused(batch[0], e);
  const mid = Math.ceil(batch.length / 2);
  await commitWithRetry(batch.slice(0, mid), commit, hooks);
  await commitWithRetry(batch.slice(mid), commit, hooks);
}
