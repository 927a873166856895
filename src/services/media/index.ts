// Media transcoder (:8084, /api/media/ and /streams/): HLS/DASH ladders and live streams.
// This build has the preset catalog, the stream listing and the job routes.
import { readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { readFfmpegCapabilities } from '../../ffmpeg/index.js';
import type { ServiceManifest } from '../../kit/index.js';
import { QUALITY_PRESETS, bandwidthOf } from './presets.js';

async function listStreams(root: string): Promise<Array<{ id: string; created: string }>> {
  const entries = await readdir(root, { withFileTypes: true }).catch(() => []);
  return Promise.all(entries.filter((e) => e.isDirectory()).map(async (e) => ({ id: e.name, created: (await stat(join(root, e.name))).birthtime.toISOString() })));
}

export const mediaService: ServiceManifest = {
  name: 'media',
  title: 'Pitchey media transcoder',
  description: 'Adaptive streaming (HLS, DASH) ladders and live streams on ffmpeg.',
  homePort: 8084,
  requiredTools: ['ffmpeg', 'ffprobe'],
  routes(app, ctx) {
    const streamsRoot = join(ctx.dataDir, 'streams');
    app.get('/quality-presets', { config: { auth: 'public' }, schema: { summary: 'The streaming ladder' } }, async () => ({
      presets: Object.fromEntries(QUALITY_PRESETS.map((p) => [p.name, {
        resolution: `${p.width}x${p.height}`, video_bitrate: `${p.videoKbps}k`, audio_bitrate: `${p.audioKbps}k`, fps: p.fps, bandwidth: bandwidthOf(p),
      }])),
    }));
    app.get('/streams', { config: { auth: 'public' }, schema: { summary: 'Streams stored on this instance' } }, async () => {
      const caps = await readFfmpegCapabilities();
      const streams = await listStreams(streamsRoot);
      return {
        streams: streams.map((s) => ({ ...s, type: 'hls', endpoint: `/streams/${s.id}/master.m3u8` })), total_streams: streams.length,
        formats_supported: [caps.muxers.has('hls') ? 'hls' : null, caps.muxers.has('dash') ? 'dash' : null].filter((f) => f !== null),
      };
    });
  },
};
