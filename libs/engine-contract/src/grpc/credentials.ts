import { ChannelCredentials, ServerCredentials } from '@grpc/grpc-js';

/** How an engine endpoint is secured: plaintext on a trusted network, or TLS (optionally mutual). */
export type EngineCredentials =
  | { kind: 'insecure' }
  | { kind: 'tls'; rootCerts?: Buffer; certChain?: Buffer; privateKey?: Buffer };

/** Server credentials for an engine. TLS needs certChain and privateKey; rootCerts enables mTLS. */
export function engineServerCredentials(
  credentials: EngineCredentials = { kind: 'insecure' },
): ServerCredentials {
  if (credentials.kind === 'insecure') return ServerCredentials.createInsecure();
  if (!credentials.certChain || !credentials.privateKey) {
    throw new Error('TLS server credentials need certChain and privateKey');
  }
  return ServerCredentials.createSsl(
    credentials.rootCerts ?? null,
    [{ cert_chain: credentials.certChain, private_key: credentials.privateKey }],
    Boolean(credentials.rootCerts),
  );
}

/** Channel credentials for a client of an engine. */
export function engineChannelCredentials(
  credentials: EngineCredentials = { kind: 'insecure' },
): ChannelCredentials {
  if (credentials.kind === 'insecure') return ChannelCredentials.createInsecure();
  return ChannelCredentials.createSsl(
    credentials.rootCerts ?? null,
    credentials.privateKey ?? null,
    credentials.certChain ?? null,
  );
}
