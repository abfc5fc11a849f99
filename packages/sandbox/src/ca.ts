import { existsSync } from 'node:fs';

/** Where install sandboxes see the CA bundle. */
const CA_IN_SANDBOX = '/run/repoforge/ca.crt';

/**
 * The host's CA bundle (a TLS-intercepting proxy's CA lives there, as behind corporate proxies):
 * `$REPOFORGE_CA_FILE`, else `$NODE_EXTRA_CA_CERTS`, else `$SSL_CERT_FILE`, when the file exists.
 */
export function hostCaFile(): string | undefined {
  const f = process.env.REPOFORGE_CA_FILE ?? process.env.NODE_EXTRA_CA_CERTS ?? process.env.SSL_CERT_FILE;
  return f && existsSync(f) ? f : undefined;
}

/**
 * What an install step (network `host`) needs to reach registries through such a proxy: the bundle mounted
 * read-only, and npm, Node, pip and OpenSSL pointed at it (without them npm hangs). `caFile`: a path, `undefined`
 * for the host's (`hostCaFile`), `null` for none.
 */
export function installCa(caFile?: string | null): {
  mounts: Record<string, string>;
  env: Record<string, string>;
} {
  const ca = caFile === null ? undefined : (caFile ?? hostCaFile());
  if (!ca) return { mounts: {}, env: {} };
  return {
    mounts: { [ca]: CA_IN_SANDBOX },
    env: {
      NODE_EXTRA_CA_CERTS: CA_IN_SANDBOX,
      npm_config_cafile: CA_IN_SANDBOX,
      SSL_CERT_FILE: CA_IN_SANDBOX,
      PIP_CERT: CA_IN_SANDBOX,
    },
  };
}
