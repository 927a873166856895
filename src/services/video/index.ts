// Video processor (:8081, /api/video/): analysis, thumbnails and transcodes on ffmpeg.
// This build has the catalog and the job routes; processing endpoints arrive with their issue.
import { readFfmpegCapabilities } from '../../ffmpeg/index.js';
import type { ServiceManifest } from '../../kit/index.js';
import { videoFormats } from './formats.js';

export const videoService: ServiceManifest = {
  name: 'video',
  title: 'Pitchey video processor',
  description: 'Video analysis, thumbnails, transcoding and compression on ffmpeg.',
  homePort: 8081,
  requiredTools: ['ffmpeg', 'ffprobe'],
  routes(app) {
    app.get('/formats', { config: { auth: 'public' }, schema: { summary: 'Containers this build reads and writes' } }, async () => videoFormats(await readFfmpegCapabilities()));
  },
};
