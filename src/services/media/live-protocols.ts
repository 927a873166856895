// How a publisher reaches a live ingest: RTMP (TCP; the key is the path, which ffmpeg's one-shot
// listener matches) or SRT (UDP; the key is the passphrase). ffmpeg's SRT listener accepts any
// `streamid` — it installs no listen callback — but with `enforced_encryption` it refuses a caller
// whose passphrase differs or is missing, so the key is enforced by encryption.

export const LIVE_PROTOCOLS = ['rtmp', 'srt'] as const;
export type LiveProtocol = (typeof LIVE_PROTOCOLS)[number];

/** SRT passphrases are 10–79 characters; stream keys are at most 64. */
export const SRT_KEY = /^[A-Za-z0-9_-]{10,64}$/;

/** The transport each listener binds: the port-free probe must ask the same one. */
export const TRANSPORT_OF: Record<LiveProtocol, 'tcp' | 'udp'> = { rtmp: 'tcp', srt: 'udp' };

export interface IngestPlan {
  /** ffmpeg's input options, ending with `-i <listen url>`. */
  input: string[];
  /** What the publisher pushes to. */
  ingestUrl: string;
}

export interface IngestTarget {
  protocol: LiveProtocol;
  /** The address the listener binds to. */
  host: string;
  /** The host named in the ingest URL when the listener binds to every address. */
  publicHost: string;
  port: number;
  streamKey: string;
}

const ANY_ADDRESS = new Set(['0.0.0.0', '::']);

const bracketed = (host: string): string => (host.includes(':') && !host.startsWith('[') ? `[${host}]` : host);

/** The listener's ffmpeg input and the publisher's URL for one live stream. */
export function planIngest(t: IngestTarget): IngestPlan {
  const listenHost = bracketed(t.host);
  const publishHost = ANY_ADDRESS.has(t.host) ? t.publicHost : listenHost;
  if (t.protocol === 'srt') {
    const listenUrl = `srt://${listenHost}:${t.port}?mode=listener&passphrase=${t.streamKey}&enforced_encryption=1`;
    return { input: ['-f', 'mpegts', '-i', listenUrl], ingestUrl: `srt://${publishHost}:${t.port}?passphrase=${t.streamKey}` };
  }
  const path = `:${t.port}/live/${t.streamKey}`;
  return { input: ['-f', 'flv', '-listen', '1', '-i', `rtmp://${listenHost}${path}`], ingestUrl: `rtmp://${publishHost}${path}` };
}
