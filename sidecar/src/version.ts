/** The sidecar's version, reported in `hello`. */
export const SIDECAR_VERSION = '0.1.0';
