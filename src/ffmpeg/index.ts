// The one ffmpeg/ffprobe layer shared by the video and media services.
export { readFfmpegCapabilities, type FfmpegCapabilities } from './capabilities.js';
