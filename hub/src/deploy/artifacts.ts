import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const ROOT = resolve(fileURLToPath(new URL('../../..', import.meta.url)));
const INSTALLER = join(ROOT, 'install/sidecar/install.sh');
const BUILD = join(ROOT, 'sidecar/scripts/build.mjs');

export interface Artifact {
  body: Buffer;
  sha256: string;
}

/**
 * What a new server fetches from the hub over the tailnet: the sidecar as one bundled file
 * (built from this checkout once, into the data directory) and its installer. Their sha256
 * goes into the user data, so the server checks what it runs.
 */
export class DeployArtifacts {
  private bundle: Promise<Artifact> | null = null;

  constructor(private readonly dataDir: string) {}

  installer(): Artifact {
    const body = readFileSync(INSTALLER);
    return { body, sha256: createHash('sha256').update(body).digest('hex') };
  }

  sidecarBundle(): Promise<Artifact> {
    this.bundle ??= this.build().catch((e) => {
      this.bundle = null;
      throw e;
    });
    return this.bundle;
  }

  private async build(): Promise<Artifact> {
    const dir = join(this.dataDir, 'deploy');
    mkdirSync(dir, { recursive: true });
    const out = join(dir, 'deepsignal-sidecar.mjs');
    // Built once per hub start, so servers always get the sidecar of the code the hub runs.
    await promisify(execFile)(process.execPath, [BUILD, '--outfile', out], { cwd: ROOT, timeout: 180_000 });
    const body = readFileSync(out);
    return { body, sha256: createHash('sha256').update(body).digest('hex') };
  }
}
