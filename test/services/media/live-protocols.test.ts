// planIngest: the listener's ffmpeg input and the publisher's URL, per protocol and bind address.
import { describe, expect, it } from 'vitest';
import { TRANSPORT_OF, planIngest, type IngestTarget } from '../../../src/services/media/live-protocols.js';

const base: IngestTarget = { protocol: 'rtmp', host: '127.0.0.1', publicHost: 'media.example', port: 19350, streamKey: 'key-1234567890' };

describe('planIngest', () => {
  const cases: { name: string; target: Partial<IngestTarget>; input: string[]; ingestUrl: string }[] = [
    { name: 'RTMP on one address', target: {}, input: ['-f', 'flv', '-listen', '1', '-i', 'rtmp://127.0.0.1:19350/live/key-1234567890'], ingestUrl: 'rtmp://127.0.0.1:19350/live/key-1234567890' },
    {
      name: 'RTMP on every address names the public host',
      target: { host: '0.0.0.0' },
      input: ['-f', 'flv', '-listen', '1', '-i', 'rtmp://0.0.0.0:19350/live/key-1234567890'],
      ingestUrl: 'rtmp://media.example:19350/live/key-1234567890',
    },
    {
      name: 'RTMP on an IPv6 address is bracketed',
      target: { host: '::1' },
      input: ['-f', 'flv', '-listen', '1', '-i', 'rtmp://[::1]:19350/live/key-1234567890'],
      ingestUrl: 'rtmp://[::1]:19350/live/key-1234567890',
    },
    {
      name: 'SRT: MPEG-TS, the key as an enforced passphrase',
      target: { protocol: 'srt' },
      input: ['-f', 'mpegts', '-i', 'srt://127.0.0.1:19350?mode=listener&passphrase=key-1234567890&enforced_encryption=1'],
      ingestUrl: 'srt://127.0.0.1:19350?passphrase=key-1234567890',
    },
    {
      name: 'SRT on every address names the public host',
      target: { protocol: 'srt', host: '::' },
      input: ['-f', 'mpegts', '-i', 'srt://[::]:19350?mode=listener&passphrase=key-1234567890&enforced_encryption=1'],
      ingestUrl: 'srt://media.example:19350?passphrase=key-1234567890',
    },
  ];
  for (const c of cases) {
    it(c.name, () => {
      expect(planIngest({ ...base, ...c.target })).toEqual({ input: c.input, ingestUrl: c.ingestUrl });
    });
  }

  it('probes the transport each listener binds', () => {
    expect(TRANSPORT_OF).toEqual({ rtmp: 'tcp', srt: 'udp' });
  });
});
