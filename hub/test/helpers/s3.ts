import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import S3rver from 's3rver';

/** s3rver's fixed credentials. */
export const S3_KEYS = { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' };

/**
 * A local S3-compatible server (s3rver: the S3 REST wire format, multipart uploads; it checks the
 * access key id but not SigV4 signatures) on a random port.
 */
export interface LocalS3 {
  endpoint: string;
  bucket: string;
  close(): Promise<void>;
}

export async function startLocalS3(bucket = 'ds-backups'): Promise<LocalS3> {
  const dir = mkdtempSync(join(tmpdir(), 'ds-s3-'));
  const server = new S3rver({
    port: 0,
    address: '127.0.0.1',
    directory: dir,
    silent: true,
    configureBuckets: [{ name: bucket, configs: [] }],
  });
  const addr = await server.run();
  return {
    endpoint: `http://127.0.0.1:${addr.port}`,
    bucket,
    async close() {
      await server.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
