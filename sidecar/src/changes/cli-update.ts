import { spawn } from 'node:child_process';
import type { CommandContext } from '../commands/types.js';

/** Keeps the last part of the output for the result. */
const KEEP = 16 * 1024;

/** `openclaw update --yes --json --tag <version>`, each output line as progress; returns the output. */
export async function runOpenclawUpdate(ctx: CommandContext, version: string): Promise<string> {
  let output = '';
  const code = await new Promise<number | null>((resolve, reject) => {
    const child = spawn(ctx.config.openclawBin, ['update', '--yes', '--json', '--tag', version], {
      stdio: ['ignore', 'pipe', 'pipe'],
      signal: ctx.signal,
      env: { ...process.env, NO_COLOR: '1' },
    });
    let pending = '';
    const onData = (d: Buffer) => {
      output = (output + d.toString()).slice(-KEEP);
      pending += d.toString();
      const lines = pending.split('\n');
      pending = lines.pop() ?? '';
      for (const l of lines) if (l.trim()) ctx.progress({ message: l.slice(0, 1000) });
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    child.on('error', reject);
    child.on('close', resolve);
  });
  if (code !== 0)
    throw new Error(
      `openclaw update exited with ${code}: ${output.trim().split('\n').slice(-3).join(' | ').slice(0, 1500)}`,
    );
  return output;
}

/** `openclaw --version`, or null. */
export function openclawCliVersion(bin: string): Promise<string | null> {
  return new Promise((resolve) => {
    const child = spawn(bin, ['--version'], { stdio: ['ignore', 'pipe', 'ignore'] });
    let out = '';
    child.stdout.on('data', (d) => {
      out += d;
    });
    child.on('error', () => resolve(null));
    child.on('close', () => resolve(/(\d{4}\.\d+\.\d+[\w.-]*)/.exec(out)?.[1] ?? (out.trim() || null)));
  });
}
