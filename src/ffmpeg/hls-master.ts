// Reads the HLS playlists ffmpeg wrote and rewrites the master with figures a player can trust:
// BANDWIDTH never below the measured peak segment bitrate, AVERAGE-BANDWIDTH measured, and
// RESOLUTION, CODECS (as ffmpeg derived them from the encoded streams) and FRAME-RATE per variant.
import { rename, stat, readFile, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';

export interface MasterVariant {
  uri: string;
  attrs: Record<string, string>;
}
export interface MasterPlaylist {
  media: Array<Record<string, string>>;
  variants: MasterVariant[];
}
export interface MediaSegment {
  uri: string;
  duration: number;
}
export interface MediaPlaylist {
  map: string | null;
  segments: MediaSegment[];
  ended: boolean;
  targetDuration: number;
}

/** `A=1,B="x,y"` → { A: '1', B: 'x,y' } (quoted values may hold commas). */
export function parseAttributes(list: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const m of list.matchAll(/([A-Z0-9-]+)=("[^"]*"|[^,]*)/g)) out[m[1] as string] = (m[2] as string).replace(/^"|"$/g, '');
  return out;
}

export function parseMaster(text: string): MasterPlaylist {
  const lines = text.split(/\r?\n/).map((l) => l.trim());
  const media: MasterPlaylist['media'] = [];
  const variants: MasterVariant[] = [];
  lines.forEach((line, i) => {
    if (line.startsWith('#EXT-X-MEDIA:')) media.push(parseAttributes(line.slice('#EXT-X-MEDIA:'.length)));
    if (line.startsWith('#EXT-X-STREAM-INF:')) {
      const uri = lines.slice(i + 1).find((l) => l !== '' && !l.startsWith('#'));
      if (uri !== undefined) variants.push({ uri, attrs: parseAttributes(line.slice('#EXT-X-STREAM-INF:'.length)) });
    }
  });
  return { media, variants };
}

export function parseMediaPlaylist(text: string): MediaPlaylist {
  const playlist: MediaPlaylist = { map: null, segments: [], ended: false, targetDuration: 0 };
  let duration: number | null = null;
  for (const line of text.split(/\r?\n/).map((l) => l.trim())) {
    if (line.startsWith('#EXT-X-MAP:')) playlist.map = parseAttributes(line.slice('#EXT-X-MAP:'.length)).URI ?? null;
    else if (line.startsWith('#EXT-X-TARGETDURATION:')) playlist.targetDuration = Number(line.split(':')[1]);
    else if (line.startsWith('#EXTINF:')) duration = Number.parseFloat(line.slice('#EXTINF:'.length));
    else if (line === '#EXT-X-ENDLIST') playlist.ended = true;
    else if (line !== '' && !line.startsWith('#') && duration !== null) {
      playlist.segments.push({ uri: line, duration });
      duration = null;
    }
  }
  return playlist;
}

export interface PlaylistRate {
  averageBps: number;
  peakBps: number;
  durationS: number;
}

/** Bitrates from the segment files on disk: the mean over the whole playlist and the busiest segment. */
export async function measurePlaylist(path: string): Promise<PlaylistRate> {
  const playlist = parseMediaPlaylist(await readFile(path, 'utf8'));
  const dir = dirname(path);
  let bits = 0;
  let peak = 0;
  let duration = 0;
  for (const s of playlist.segments) {
    const size = (await stat(join(dir, s.uri))).size * 8;
    bits += size;
    duration += s.duration;
    if (s.duration > 0) peak = Math.max(peak, size / s.duration);
  }
  return { averageBps: duration > 0 ? Math.round(bits / duration) : 0, peakBps: Math.round(peak), durationS: duration };
}

export interface VariantFigures {
  nominalBps: number;
  frameRate: number | null;
}

function attrList(attrs: Record<string, string>): string {
  const quoted = new Set(['CODECS', 'AUDIO', 'URI', 'GROUP-ID', 'NAME', 'LANGUAGE', 'CHANNELS']);
  return Object.entries(attrs)
    .map(([k, v]) => (quoted.has(k) ? `${k}="${v}"` : `${k}=${v}`))
    .join(',');
}

/**
 * Rewrites `<dir>/<masterName>` in place. `figures[i]` belongs to the i-th variant ffmpeg wrote
 * (its stream-map order). An audio rendition's measured rate is added to the variants that use it.
 */
export async function rewriteMaster(dir: string, masterName: string, figures: VariantFigures[]): Promise<MasterPlaylist> {
  const master = parseMaster(await readFile(join(dir, masterName), 'utf8'));
  const audioPeak = new Map<string, PlaylistRate>();
  for (const m of master.media) if (m.TYPE === 'AUDIO' && m.URI !== undefined && m['GROUP-ID'] !== undefined) audioPeak.set(m['GROUP-ID'], await measurePlaylist(join(dir, m.URI)));
  const lines = ['#EXTM3U', '#EXT-X-VERSION:7', '#EXT-X-INDEPENDENT-SEGMENTS'];
  for (const m of master.media) lines.push(`#EXT-X-MEDIA:${attrList(m)}`);
  for (const [i, v] of master.variants.entries()) {
    const own = await measurePlaylist(join(dir, v.uri));
    const audio = v.attrs.AUDIO === undefined ? undefined : audioPeak.get(v.attrs.AUDIO);
    const f = figures[i] ?? { nominalBps: 0, frameRate: null };
    const attrs: Record<string, string> = {
      BANDWIDTH: String(Math.max(f.nominalBps, own.peakBps + (audio?.peakBps ?? 0))),
      'AVERAGE-BANDWIDTH': String(own.averageBps + (audio?.averageBps ?? 0)),
      ...(v.attrs.RESOLUTION === undefined ? {} : { RESOLUTION: v.attrs.RESOLUTION }),
      ...(f.frameRate === null ? {} : { 'FRAME-RATE': f.frameRate.toFixed(3) }),
      ...(v.attrs.CODECS === undefined ? {} : { CODECS: v.attrs.CODECS }),
      ...(v.attrs.AUDIO === undefined ? {} : { AUDIO: v.attrs.AUDIO }),
    };
    v.attrs = attrs;
    lines.push(`#EXT-X-STREAM-INF:${attrList(attrs)}`, v.uri);
  }
  const tmp = join(dir, `.${masterName}.tmp`);
  await writeFile(tmp, `${lines.join('\n')}\n`);
  await rename(tmp, join(dir, masterName));
  return master;
}
