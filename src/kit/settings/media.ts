// Video and media settings: what an upload or probed file may be, HLS/DASH ladders, live ingest.
import { integer, text, SettingError } from './parsers.js';
import { setting } from './setting.js';

/** An even number of seconds: every rung has a keyframe each 2 s, and segments must end on one. */
function segmentSeconds(raw: unknown): number {
  const v = integer(2, 20)(raw);
  if (v % 2 !== 0) throw new SettingError('must be an even number of seconds (a multiple of the 2 s keyframe interval)');
  return v;
}

/** `19350-19399`: unprivileged ports, the first not above the last. */
function portRange(raw: unknown): [number, number] {
  const m = /^(\d{1,5})-(\d{1,5})$/.exec(text(raw));
  const [a, b] = [Number(m?.[1]), Number(m?.[2])];
  if (m === null || a < 1024 || b > 65535 || a > b) throw new SettingError('must be a range like 19350-19399 (ports 1024..65535)');
  return [a, b];
}

export const MEDIA_SETTINGS = [
  setting({
    key: 'videoMaxUploadMb',
    env: 'PITCHEY_VIDEO_MAX_UPLOAD_MB',
    area: 'media',
    doc: 'video: largest upload in MiB (413 beyond it, before the body is read whole)',
    fallback: () => 500,
    parse: integer(1, 102_400),
  }),
  setting({
    key: 'mediaMaxUploadMb',
    env: 'PITCHEY_MEDIA_MAX_UPLOAD_MB',
    area: 'media',
    doc: 'media: largest upload for /hls-transcode and /dash in MiB (413 beyond it, before the body is read whole)',
    fallback: () => 1024,
    parse: integer(1, 102_400),
  }),
  setting({
    key: 'mediaMaxDimension',
    env: 'PITCHEY_MEDIA_MAX_DIMENSION',
    area: 'media',
    doc: 'video and media: widest or tallest frame a probed file may declare, in pixels; beyond it the file is refused before decoding',
    fallback: () => 8192,
    parse: integer(64, 65_536),
  }),
  setting({
    key: 'mediaMaxPixels',
    env: 'PITCHEY_MEDIA_MAX_PIXELS',
    area: 'media',
    doc: 'video and media: most pixels per frame a probed file may declare (8192×4320)',
    fallback: () => 35_389_440,
    parse: integer(4_096, 1_073_741_824),
  }),
  setting({
    key: 'mediaMaxDurationS',
    env: 'PITCHEY_MEDIA_MAX_DURATION_S',
    area: 'media',
    doc: 'video and media: longest duration a probed file may declare, in seconds',
    fallback: () => 21_600,
    parse: integer(1, 7 * 86_400),
  }),
  setting({
    key: 'hlsSegmentSeconds',
    env: 'PITCHEY_HLS_SEGMENT_SECONDS',
    area: 'media',
    doc: 'media: segment length of HLS and DASH ladders, in seconds (keyframes every 2 s in every rung)',
    fallback: () => 6,
    parse: segmentSeconds,
  }),
  setting({
    key: 'livePorts',
    env: 'PITCHEY_LIVE_PORTS',
    area: 'media',
    doc: 'media: port range for live ingest listeners, TCP for RTMP and UDP for SRT (one port per live stream)',
    shown: '19350-19399',
    fallback: (): [number, number] => [19350, 19399],
    parse: portRange,
  }),
  setting({
    key: 'liveHost',
    env: 'PITCHEY_LIVE_HOST',
    area: 'media',
    doc: 'media: address the RTMP and SRT ingest listeners bind to',
    shown: '`PITCHEY_HOST`',
    fallback: (earlier) => (typeof earlier.host === 'string' ? earlier.host : '127.0.0.1'),
    parse: text,
  }),
  setting({
    key: 'liveIdleTimeoutMs',
    env: 'PITCHEY_LIVE_IDLE_TIMEOUT_MS',
    area: 'media',
    doc: 'media: how long a live ingest waits for a publisher, or for data once live, before it ends',
    fallback: () => 30_000,
    parse: integer(1_000, 3_600_000),
  }),
  setting({ key: 'liveMaxMs', env: 'PITCHEY_LIVE_MAX_MS', area: 'media', doc: 'media: longest a live stream may run', fallback: () => 14_400_000, parse: integer(10_000, 7 * 86_400_000) }),
];
