// Whether a live stream's ingest listener is up: ffmpeg binds its port some time after it starts
// (longer on a busy machine), and a publisher that connects before is refused. ffmpeg's RTMP
// `-listen 1` takes one connection, so a test connection would take the publisher's place: the
// kernel's socket tables (Linux /proc/net) are read instead. Where they cannot be read, the
// listener is taken as up, as before.
import { readFile } from 'node:fs/promises';
import { setTimeout as sleep } from 'node:timers/promises';

const TABLES = { tcp: ['/proc/net/tcp', '/proc/net/tcp6'], udp: ['/proc/net/udp', '/proc/net/udp6'] } as const;
/** A TCP socket that listens; a UDP socket bound with no peer. */
const BOUND_STATE = { tcp: '0A', udp: '07' } as const;
const POLL_MS = 20;

/** True when a socket of `transport` is bound to `port` (listening, for TCP); null when the tables cannot be read. */
export async function portBound(transport: 'tcp' | 'udp', port: number): Promise<boolean | null> {
  const hexPort = port.toString(16).toUpperCase().padStart(4, '0');
  let read = false;
  for (const table of TABLES[transport]) {
    const text = await readFile(table, 'utf8').catch(() => null);
    if (text === null) continue;
    read = true;
    for (const line of text.split('\n').slice(1)) {
      // "  sl  local_address rem_address   st ...": the local address is HEXIP:HEXPORT.
      const [, local = '', , state] = line.trim().split(/\s+/);
      if (local.endsWith(`:${hexPort}`) && state === BOUND_STATE[transport]) return true;
    }
  }
  return read ? false : null;
}

/** Waits until the port is bound, the listener has ended (`ended` settles), or `timeoutMs` passed. */
export async function waitBound(transport: 'tcp' | 'udp', port: number, ended: Promise<unknown>, timeoutMs: number): Promise<void> {
  let over = false;
  void ended.finally(() => (over = true));
  const deadline = Date.now() + timeoutMs;
  while (!over && Date.now() < deadline) {
    if ((await portBound(transport, port)) !== false) return;
    await sleep(POLL_MS);
  }
}
