import { readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import path from 'node:path';

/** Where OpenClaw keeps its config: explicit setting, OPENCLAW_CONFIG_PATH, OPENCLAW_STATE_DIR, or ~/.openclaw. */
export function openclawConfigPath(explicit: string | undefined, env: NodeJS.ProcessEnv = process.env): string {
  if (explicit) return explicit;
  if (env.OPENCLAW_CONFIG_PATH) return env.OPENCLAW_CONFIG_PATH;
  const stateDir = env.OPENCLAW_STATE_DIR || path.join(env.OPENCLAW_HOME || homedir(), '.openclaw');
  return path.join(stateDir, 'openclaw.json');
}

/** The workspace holding persona files (SOUL.md, AGENTS.md, …), next to the config. */
export function openclawWorkspace(configPath: string): string {
  return path.join(path.dirname(configPath), 'workspace');
}

/** Parses JSON, or the JSON5 subset people write by hand (comments, trailing commas). */
export function parseLooseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    const stripped = text
      .replace(/("(?:[^"\\]|\\.)*")|\/\/[^\n]*|\/\*[\s\S]*?\*\//g, (_m, s) => s ?? '')
      .replace(/,(\s*[}\]])/g, '$1');
    return JSON.parse(stripped);
  }
}

/** Reads the OpenClaw config; null when it does not exist or cannot be parsed. */
export function readOpenclawConfig(file: string): Record<string, unknown> | null {
  try {
    const j = parseLooseJson(readFileSync(file, 'utf8'));
    return j && typeof j === 'object' && !Array.isArray(j) ? (j as Record<string, unknown>) : null;
  } catch {
    return null;
  }
}

/** `gateway.auth.token` from the config, if any. */
export function tokenFromConfig(cfg: Record<string, unknown> | null): string | undefined {
  const t = (cfg?.gateway as { auth?: { token?: unknown } } | undefined)?.auth?.token;
  return typeof t === 'string' && t ? t : undefined;
}
