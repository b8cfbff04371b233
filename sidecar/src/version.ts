/** Set by sidecar/scripts/build.mjs (`--version`); absent when run from the sources. */
declare const __DS_SIDECAR_VERSION__: string | undefined;

/** The version of the sources (sidecar/package.json); the build stamps it unless told another. */
export const SOURCE_VERSION = '0.1.0';

/** The sidecar's version, reported in `hello`. */
export const SIDECAR_VERSION: string =
  typeof __DS_SIDECAR_VERSION__ === 'string' ? __DS_SIDECAR_VERSION__ : SOURCE_VERSION;
