import { lookup } from 'node:dns/promises';
import { BlockList, isIP } from 'node:net';

/** Address ranges that are not on the public internet: loopback, private, link-local and more. */
const NON_PUBLIC = new BlockList();
for (const [network, prefix] of [
  ['0.0.0.0', 8],
  ['10.0.0.0', 8],
  ['100.64.0.0', 10],
  ['127.0.0.0', 8],
  ['169.254.0.0', 16],
  ['172.16.0.0', 12],
  ['192.0.0.0', 24],
  ['192.168.0.0', 16],
  ['198.18.0.0', 15],
  ['224.0.0.0', 4],
  ['240.0.0.0', 4],
] as const) {
  NON_PUBLIC.addSubnet(network, prefix, 'ipv4');
}
for (const [network, prefix] of [
  ['::', 128],
  ['::1', 128],
  ['fc00::', 7],
  ['fe80::', 10],
  ['ff00::', 8],
] as const) {
  NON_PUBLIC.addSubnet(network, prefix, 'ipv6');
}

/** Reports whether an IP address is outside the public internet. */
export function isNonPublicAddress(address: string): boolean {
  // An IPv4 address written as IPv6 (::ffff:127.0.0.1) is checked as the IPv4 address it is.
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address)?.[1];
  if (mapped) {
    return NON_PUBLIC.check(mapped, 'ipv4');
  }
  const family = isIP(address);
  return family === 0 || NON_PUBLIC.check(address, family === 4 ? 'ipv4' : 'ipv6');
}

/**
 * Resolves a URL's host and returns the first address that is not public, or null when all
 * are public. A host that does not resolve gives null: the request that follows fails anyway.
 */
export async function nonPublicAddressOf(url: URL): Promise<string | null> {
  // A name may end in a dot (localhost.), and every name under localhost is loopback.
  const host = url.hostname
    .replace(/^\[|\]$/g, '')
    .replace(/\.$/, '')
    .toLowerCase();
  if (host === 'localhost' || host.endsWith('.localhost')) {
    return host;
  }
  if (isIP(host)) {
    return isNonPublicAddress(host) ? host : null;
  }
  try {
    const addresses = await lookup(host, { all: true, verbatim: true });
    return addresses.find((entry) => isNonPublicAddress(entry.address))?.address ?? null;
  } catch {
    return null;
  }
}
