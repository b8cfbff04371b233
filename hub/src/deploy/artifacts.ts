import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { sidecarBundleVersion } from '@deepsignal/protocol';

const ROOT = resolve(fileURLToPath(new URL('../../..', import.meta.url)));
const INSTALLER = join(ROOT, 'install/sidecar/install.sh');
const BUILD = join(ROOT, 'sidecar/scripts/build.mjs');

export interface Artifact {
  body: Buffer;
  sha256: string;
}

/** The sidecar bundle, with the version its first line names (null: not a sidecar bundle). */
export interface BundleArtifact extends Artifact {
  version: string | null;
}

const sha256 = (b: Buffer) => createHash('sha256').update(b).digest('hex');
const bundleOf = (body: Buffer): BundleArtifact => ({
  body,
  sha256: sha256(body),
  version: sidecarBundleVersion(body.subarray(0, 256).toString('latin1')),
});

/**
 * What a new server fetches from the hub over the tailnet: the sidecar as one bundled file
 * (built from this checkout once, into the data directory, or the prebuilt file
 * `DS_DEPLOY_SIDECAR_BUNDLE` names) and its installer. Their sha256 goes into the user data, so
 * the server checks what it runs; a `sidecar.update` carries the bundle's sha256 the same way.
 */
export class DeployArtifacts {
  private bundle: Promise<BundleArtifact> | null = null;
  private prebuilt: { key: string; artifact: BundleArtifact } | null = null;

  constructor(
    private readonly dataDir: string,
    /** A prebuilt bundle: read again whenever the file changes, so replacing it needs no restart. */
    private readonly bundleFile?: string,
  ) {}

  installer(): Artifact {
    const body = readFileSync(INSTALLER);
    return { body, sha256: sha256(body) };
  }

  sidecarBundle(): Promise<BundleArtifact> {
    if (this.bundleFile) return Promise.resolve(this.readPrebuilt(this.bundleFile));
    this.bundle ??= this.build().catch((e) => {
      this.bundle = null;
      throw e;
    });
    return this.bundle;
  }

  private readPrebuilt(file: string): BundleArtifact {
    const st = statSync(file);
    const key = `${st.size}:${st.mtimeMs}:${st.ino}`;
    if (this.prebuilt?.key !== key) this.prebuilt = { key, artifact: bundleOf(readFileSync(file)) };
    return this.prebuilt.artifact;
  }

  private async build(): Promise<BundleArtifact> {
    const dir = join(this.dataDir, 'deploy');
    mkdirSync(dir, { recursive: true });
    const out = join(dir, 'deepsignal-sidecar.mjs');
    // Built once per hub start, so servers always get the sidecar of the code the hub runs.
    await promisify(execFile)(process.execPath, [BUILD, '--outfile', out], { cwd: ROOT, timeout: 180_000 });
    return bundleOf(readFileSync(out));
  }
}
