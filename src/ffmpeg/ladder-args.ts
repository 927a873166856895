// Builds the argv of ONE ffmpeg run that encodes a whole adaptive ladder: the source is decoded
// once, split, scaled per rung and encoded per rung, with keyframes every `keyframeSeconds` at the
// same instants in every rung, into fMP4/CMAF segments for HLS, DASH (+ HLS playlists) or live HLS.

export interface LadderRung {
  name: string;
  width: number;
  height: number;
  /** Output frame rate; null keeps the source's. */
  fps: number | null;
  videoKbps: number;
  audioKbps: number;
}

export type LadderOutput =
  | { kind: 'hls'; dir: string; segmentSeconds: number }
  | { kind: 'dash'; dir: string; segmentSeconds: number }
  /** A sliding live window: `listSize` segments kept, older ones deleted. */
  | { kind: 'live-hls'; dir: string; segmentSeconds: number; listSize: number };

export interface LadderArgsOptions {
  /** The input arguments ending in `-i <url>`: `inputArgs(path)` for a file, `-listen 1 -i rtmp://…` for an ingest. */
  input: string[];
  rungs: LadderRung[];
  /** Whether the source has an audio stream to carry. */
  audio: boolean;
  /** `exact`: the planned sizes; `no-upscale`: each rung's height is capped at the source's (live, size unknown in advance). */
  scale?: 'exact' | 'no-upscale';
  /** Default 2 s. */
  keyframeSeconds?: number;
  /** x264 preset. Default `veryfast`. */
  x264Preset?: string;
}

/** The playlist and manifest names every output kind uses. */
export const LADDER_FILES = { master: 'master.m3u8', mpd: 'manifest.mpd', hlsMedia: 'index.m3u8' } as const;

/**
 * Every rung shows the same picture shape (DASH refuses an adaptation set whose aspect ratios
 * differ): even dimensions cannot always keep it exactly, so the display aspect is set from the
 * first rung and a rounding difference goes into the sample aspect.
 */
function scaleFilter(r: LadderRung, mode: 'exact' | 'no-upscale', dar: string): string {
  const scale = mode === 'exact' ? `scale=w=${r.width}:h=${r.height}:flags=bicubic,setdar=${dar}` : `scale=w=-2:h='min(${r.height},ih)':flags=bicubic,setsar=1`;
  return `${scale},format=yuv420p${r.fps === null ? '' : `,fps=${r.fps}`}`;
}

/**
 * The source is decoded once and scaled down a cascade: the largest rung from the source, each
 * smaller one from the next larger rung's frames (scaling 720p to 480p costs less than 1080p to
 * 480p; 2-7 % of a 3-rung ladder's CPU, measured) when both run at the same frame rate. `[vI]`
 * is rung I's output, whatever the order of `o.rungs`.
 */
function filterGraph(o: LadderArgsOptions): string {
  const mode = o.scale ?? 'exact';
  const first = o.rungs[0] as LadderRung;
  const dar = `${first.width}/${first.height}`;
  const order = o.rungs.map((r, i) => ({ r, i })).sort((a, b) => b.r.height - a.r.height || b.r.width - a.r.width);
  // Who reads each rung's frames: -1 is the source.
  const feeds = order.map(({ r }, k) => {
    const prev = order[k - 1];
    return prev !== undefined && prev.r.fps === r.fps ? prev.i : -1;
  });
  const tap = (from: number, k: number): string => `[${from < 0 ? 'src' : `r${from}`}_${k}]`;
  const readers = (from: number): string[] => feeds.flatMap((f, k) => (f === from ? [tap(from, k)] : []));
  const fan = (input: string, outs: string[]): string => (outs.length === 1 ? `${input}null${outs[0] as string}` : `${input}split=${outs.length}${outs.join('')}`);
  const graph = [fan('[0:v:0]', readers(-1))];
  order.forEach(({ r, i }, k) => {
    const scaled = `${tap(feeds[k] as number, k)}${scaleFilter(r, mode, dar)}`;
    const next = readers(i);
    if (next.length === 0) graph.push(`${scaled}[v${i}]`);
    else graph.push(`${scaled}[t${i}]`, fan(`[t${i}]`, [`[v${i}]`, ...next]));
  });
  return graph.join(';');
}

function videoArgs(o: LadderArgsOptions): string[] {
  const k = o.keyframeSeconds ?? 2;
  const args = ['-c:v', 'libx264', '-preset', o.x264Preset ?? 'veryfast', '-profile:v', 'high', '-sc_threshold', '0', '-force_key_frames', `expr:gte(t,n_forced*${k})`];
  o.rungs.forEach((r, i) => {
    args.push(`-b:v:${i}`, `${r.videoKbps}k`, `-maxrate:v:${i}`, `${Math.round(r.videoKbps * 1.1)}k`, `-bufsize:v:${i}`, `${r.videoKbps * 2}k`);
    if (r.fps !== null) {
      const gop = String(Math.max(1, Math.round(r.fps * k)));
      args.push(`-g:v:${i}`, gop, `-keyint_min:v:${i}`, gop);
    }
  });
  return args;
}

/** HLS muxes audio into every rung (each at its own bitrate); DASH carries one shared audio track. */
function audioArgs(o: LadderArgsOptions, perRung: boolean): { maps: string[]; codec: string[] } {
  if (!o.audio) return { maps: [], codec: [] };
  const bitrates = perRung ? o.rungs.map((r) => r.audioKbps) : [Math.max(...o.rungs.map((r) => r.audioKbps))];
  return {
    maps: bitrates.flatMap(() => ['-map', '0:a:0']),
    codec: ['-c:a', 'aac', '-ac', '2', ...bitrates.flatMap((b, i) => [`-b:a:${i}`, `${b}k`])],
  };
}

function hlsMuxerArgs(o: LadderArgsOptions, out: Extract<LadderOutput, { kind: 'hls' | 'live-hls' }>): string[] {
  const streamMap = o.rungs.map((r, i) => `v:${i}${o.audio ? `,a:${i}` : ''},name:${r.name}`).join(' ');
  const window =
    out.kind === 'hls'
      ? ['-hls_playlist_type', 'vod', '-hls_flags', 'independent_segments']
      : ['-hls_list_size', String(out.listSize), '-hls_flags', 'independent_segments+delete_segments+program_date_time'];
  return [
    '-f',
    'hls',
    '-hls_time',
    String(out.segmentSeconds),
    ...window,
    '-hls_segment_type',
    'fmp4',
    '-hls_fmp4_init_filename',
    'init.mp4',
    '-hls_segment_filename',
    `${out.dir}/%v/seg_%05d.m4s`,
    '-master_pl_name',
    LADDER_FILES.master,
    '-var_stream_map',
    streamMap,
    `${out.dir}/%v/${LADDER_FILES.hlsMedia}`,
  ];
}

function dashMuxerArgs(o: LadderArgsOptions, out: Extract<LadderOutput, { kind: 'dash' }>): string[] {
  const videoIds = o.rungs.map((_, i) => i).join(',');
  const sets = `id=0,streams=${videoIds}${o.audio ? ` id=1,streams=${o.rungs.length}` : ''}`;
  return [
    '-f',
    'dash',
    '-seg_duration',
    String(out.segmentSeconds),
    '-dash_segment_type',
    'mp4',
    '-use_template',
    '1',
    '-use_timeline',
    '1',
    '-adaptation_sets',
    sets,
    '-init_seg_name',
    'init-$RepresentationID$.mp4',
    '-media_seg_name',
    'chunk-$RepresentationID$-$Number%05d$.m4s',
    '-hls_playlist',
    '1',
    '-hls_master_name',
    LADDER_FILES.master,
    `${out.dir}/${LADDER_FILES.mpd}`,
  ];
}

/** The argv (without the `ffmpeg` program name) for one run encoding every rung. */
export function buildLadderArgs(o: LadderArgsOptions, out: LadderOutput): string[] {
  if (o.rungs.length === 0) throw new Error('a ladder needs at least one rung');
  const audio = audioArgs(o, out.kind !== 'dash');
  const maps = o.rungs.flatMap((_, i) => ['-map', `[v${i}]`]);
  const muxer = out.kind === 'dash' ? dashMuxerArgs(o, out) : hlsMuxerArgs(o, out);
  return [...o.input, '-filter_complex', filterGraph(o), ...maps, ...audio.maps, ...videoArgs(o), ...audio.codec, '-map_metadata', '-1', ...muxer];
}

/** Which DASH representation ids carry audio (the shared track comes after the video rungs). */
export function dashAudioRepresentations(o: Pick<LadderArgsOptions, 'rungs' | 'audio'>): string[] {
  return o.audio ? [String(o.rungs.length)] : [];
}
