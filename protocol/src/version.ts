/** Protocol major version. Carried in every topic (`ds/v1/…`) and every message (`v`). [SPEC 1.2] */
export const PROTOCOL_VERSION = 1 as const;

/** Topic prefix for this major version. [SPEC 2.1] */
export const TOPIC_PREFIX = `ds/v${PROTOCOL_VERSION}` as const;

/** Version of this package's implementation, reported by sidecars in `hello`. */
export const PROTOCOL_PACKAGE_VERSION = '1.0.0';
