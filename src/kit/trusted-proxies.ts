// Whose `X-Forwarded-For` is believed. The gateway is the edge: by default it trusts no peer, so a
// client cannot choose the address its rate limit is counted by. The services trust loopback
// (the gateway in front of them) unless told otherwise. Addresses or CIDR ranges, IPv4 or IPv6.
import { BlockList, isIP } from 'node:net';

/** The services' default: the gateway reaches them over loopback. */
export const LOOPBACK_PROXIES: readonly string[] = ['127.0.0.1', '::1'];

/** Parses `10.0.0.0/8,::1`; throws on anything that is not an address or a range. */
export function parseProxyList(raw: string): string[] {
  const entries = raw
    .split(',')
    .map((e) => e.trim())
    .filter(Boolean);
  for (const e of entries) {
    const [address = '', bits] = e.split('/');
    const family = isIP(address);
    const max = family === 6 ? 128 : 32;
    if (family === 0 || (bits !== undefined && !(/^\d+$/.test(bits) && Number(bits) <= max))) throw new Error(`"${e}" is not an IP address or CIDR range`);
  }
  return entries;
}

/** A predicate over a peer's address (`::ffff:`-mapped IPv4 included). */
export function createProxyTrust(entries: readonly string[]): (address: string) => boolean {
  if (entries.length === 0) return () => false;
  const list = new BlockList();
  for (const e of entries) {
    const [address = '', bits] = e.split('/');
    const type = isIP(address) === 6 ? 'ipv6' : 'ipv4';
    if (bits === undefined) list.addAddress(address, type);
    else list.addSubnet(address, Number(bits), type);
  }
  return (address) => {
    const plain = address.startsWith('::ffff:') && isIP(address.slice(7)) === 4 ? address.slice(7) : address;
    const family = isIP(plain);
    return family !== 0 && list.check(plain, family === 6 ? 'ipv6' : 'ipv4');
  };
}
