// Live ingest: one ffmpeg per live stream listens for an RTMP or SRT publisher on a port from the
// configured range and turns what it receives into a sliding HLS window. The stream ends cleanly
// (every playlist closed with ENDLIST) when the publisher stops, goes silent, never comes, or the
// stream is deleted or the service drains; no ffmpeg outlives its stream.
import { randomUUID } from 'node:crypto';
import { mkdir, readdir, readFile, appendFile } from 'node:fs/promises';
import { createSocket } from 'node:dgram';
import { createServer, isIPv6 } from 'node:net';
import { join } from 'node:path';
import { FfmpegError, LADDER_FILES, buildLadderArgs, parseMediaPlaylist, runFfmpeg, type LadderRung } from '../../ffmpeg/index.js';
import { Problem } from '../../kit/index.js';
import { waitBound } from './ingest-ready.js';
import { TRANSPORT_OF, planIngest, type LiveProtocol } from './live-protocols.js';
import type { QualityPreset } from './presets.js';
import type { StreamRecord, StreamStore } from './stream-store.js';

/** How long a live stream's start waits for its ffmpeg to listen before answering with the ingest URL anyway. */
const INGEST_READY_MS = 5_000;

export interface LiveSettings {
  host: string;
  ports: [number, number];
  /** How long to wait for a publisher, or for data once live. */
  idleTimeoutMs: number;
  maxMs: number;
  /** Live segments are short so the window stays close to real time. Default 2 s, 15 of them. */
  segmentSeconds?: number;
  listSize?: number;
}

export interface LiveStart {
  protocol: LiveProtocol;
  /** RTMP: the path the publisher must name; SRT: the passphrase it must use. */
  streamKey: string;
  presets: QualityPreset[];
  audio: boolean;
  name: string | null;
  /** The host clients reached us by: named in the ingest URL when the listener binds to every address. */
  publicHost: string;
}

interface Running {
  controller: AbortController;
  done: Promise<void>;
  port: number;
}

function portFree(transport: 'tcp' | 'udp', host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    if (transport === 'tcp') {
      const probe = createServer();
      probe.once('error', () => resolve(false));
      probe.listen(port, host, () => probe.close(() => resolve(true)));
      return;
    }
    const probe = createSocket(isIPv6(host) ? 'udp6' : 'udp4');
    probe.once('error', () => {
      probe.close();
      resolve(false);
    });
    probe.bind(port, host, () => probe.close(() => resolve(true)));
  });
}

/** Closes every media playlist that ffmpeg could not close itself (killed, or cut off). */
export async function closePlaylists(dir: string): Promise<void> {
  const entries = await readdir(dir, { withFileTypes: true }).catch(() => []);
  for (const e of entries.filter((x) => x.isDirectory())) {
    const path = join(dir, e.name, LADDER_FILES.hlsMedia);
    const text = await readFile(path, 'utf8').catch(() => null);
    if (text !== null && !parseMediaPlaylist(text).ended) await appendFile(path, `${text.endsWith('\n') ? '' : '\n'}#EXT-X-ENDLIST\n`);
  }
}

/** Playable: the master playlist is written and every rung's media playlist lists a segment. */
async function playable(dir: string): Promise<boolean> {
  const entries = await readdir(dir, { withFileTypes: true }).catch(() => []);
  const rungs = entries.filter((e) => e.isDirectory());
  if (rungs.length === 0 || !entries.some((e) => e.isFile() && e.name === LADDER_FILES.master)) return false;
  for (const e of rungs) {
    const text = await readFile(join(dir, e.name, LADDER_FILES.hlsMedia), 'utf8').catch(() => null);
    if (text === null || parseMediaPlaylist(text).segments.length === 0) return false;
  }
  return true;
}

/** Whether a pid is a live process other than this one (this one's ingests are in memory). */
function processAlive(pid: number | undefined): boolean {
  if (pid === undefined || pid === process.pid) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

export class LiveIngests {
  private readonly running = new Map<string, Running>();

  constructor(
    private readonly store: StreamStore,
    readonly settings: LiveSettings,
  ) {}

  /** Ingests whose instance is gone (a restart, a crash) are not running: their streams are closed. */
  async recover(): Promise<void> {
    const orphaned = (x: StreamRecord): boolean => x.live !== undefined && (x.live.status === 'waiting' || x.live.status === 'live') && !processAlive(x.live.owner);
    for (const r of (await this.store.all()).filter(orphaned)) {
      await closePlaylists(this.store.dirOf(r.id));
      await this.store.update(r.id, (x) => {
        if (x.live) Object.assign(x.live, { status: 'ended', endedAt: new Date().toISOString(), reason: 'the service restarted' });
      });
    }
  }

  private async allocatePort(transport: 'tcp' | 'udp'): Promise<number> {
    const used = new Set([...this.running.values()].map((r) => r.port));
    for (let port = this.settings.ports[0]; port <= this.settings.ports[1]; port++) {
      if (!used.has(port) && (await portFree(transport, this.settings.host, port))) return port;
    }
    throw new Problem('LIVE_PORTS_EXHAUSTED', `All ingest ports ${this.settings.ports.join('-')} are in use; try again when a live stream ends.`, { headers: { 'retry-after': '30' } });
  }

  async start(opts: LiveStart): Promise<{ record: StreamRecord; ingestUrl: string }> {
    const id = randomUUID();
    const port = await this.allocatePort(TRANSPORT_OF[opts.protocol]);
    const { input, ingestUrl } = planIngest({ protocol: opts.protocol, host: this.settings.host, publicHost: opts.publicHost, port, streamKey: opts.streamKey });
    const dir = this.store.dirOf(id);
    await mkdir(dir, { recursive: true });
    const rungs: LadderRung[] = opts.presets.map((p) => ({ name: p.name, width: p.width, height: p.height, fps: null, videoKbps: p.videoKbps, audioKbps: p.audioKbps }));
    const args = buildLadderArgs(
      { input, rungs, audio: opts.audio, scale: 'no-upscale' },
      { kind: 'live-hls', dir, segmentSeconds: this.settings.segmentSeconds ?? 2, listSize: this.settings.listSize ?? 15 },
    );
    const record: StreamRecord = {
      id,
      type: 'live',
      name: opts.name,
      created: new Date().toISOString(),
      entry: LADDER_FILES.master,
      live: { status: 'waiting', protocol: opts.protocol, ingestPort: port, startedAt: null, endedAt: null, reason: null, owner: process.pid },
    };
    await this.store.put(record);
    const controller = new AbortController();
    const done = this.run(id, args, controller.signal);
    this.running.set(id, { controller, done, port });
    // The ingest URL is answered once it takes a publisher: one that connects at once is not refused.
    await waitBound(TRANSPORT_OF[opts.protocol], port, done, INGEST_READY_MS);
    return { record, ingestUrl };
  }

  /**
   * `connected`: media has arrived (ffmpeg's output time moved); `live` is said only once a player
   * can start, the first segment of every rung written, checked at ffmpeg's progress reports.
   */
  private async run(id: string, args: string[], signal: AbortSignal): Promise<void> {
    let connected = false;
    let live = false;
    let checking = false;
    let check: Promise<void> = Promise.resolve();
    const dir = this.store.dirOf(id);
    let outcome: { status: 'ended' | 'failed'; reason: string };
    try {
      await runFfmpeg(args, {
        timeoutMs: this.settings.maxMs,
        stallMs: this.settings.idleTimeoutMs,
        signal,
        onProgress: (p) => {
          if (p.outTimeS > 0) connected = true;
          if (!connected || live || checking) return;
          checking = true;
          check = playable(dir)
            .then(async (ok) => {
              if (!ok) return;
              live = true;
              await this.store.update(id, (r) => {
                if (r.live?.status === 'waiting') Object.assign(r.live, { status: 'live', startedAt: new Date().toISOString() });
              });
            })
            .finally(() => {
              checking = false;
            });
        },
      });
      outcome = { status: 'ended', reason: 'the publisher stopped' };
    } catch (err) {
      const kind = err instanceof FfmpegError ? err.kind : 'failed';
      const idleS = Math.round(this.settings.idleTimeoutMs / 1000);
      if (kind === 'aborted') outcome = { status: 'ended', reason: 'stopped' };
      else if (kind === 'stalled')
        outcome = connected ? { status: 'ended', reason: `no data from the publisher for ${idleS} s` } : { status: 'failed', reason: `no publisher connected within ${idleS} s` };
      else if (kind === 'timeout') outcome = { status: 'ended', reason: 'the live stream reached its maximum length' };
      else outcome = { status: 'failed', reason: (err as Error).message };
    }
    try {
      await check; // a 'live' being written lands before the final status, never after it
      await closePlaylists(dir);
      await this.store.update(
        id,
        (r) => {
          if (r.live) Object.assign(r.live, { ...outcome, endedAt: new Date().toISOString() });
        },
        { seal: true },
      );
    } finally {
      this.running.delete(id);
    }
  }

  isRunning(id: string): boolean {
    return this.running.has(id);
  }

  /** Stops a live stream's ingest and waits until its ffmpeg is gone and its playlists are closed. */
  async stop(id: string): Promise<void> {
    const r = this.running.get(id);
    if (r === undefined) return;
    r.controller.abort();
    await r.done;
  }

  async stopAll(): Promise<void> {
    await Promise.all([...this.running.keys()].map((id) => this.stop(id)));
  }
}
