// The one ffmpeg/ffprobe layer shared by the video and media services.
export { readFfmpegCapabilities, type FfmpegCapabilities } from './capabilities.js';
export { FfmpegError, stderrReason, looksLikeInputFault, type FfmpegErrorKind } from './errors.js';
export { ProgressParser, progressFromBlock, type FfmpegProgress } from './progress.js';
export { runFfmpeg, inputArgs, outputArg, FFMPEG_PREAMBLE, type RunFfmpegOptions, type FfmpegRunResult } from './run.js';
export { probe, parseProbeJson, parseFraction, type MediaInfo, type VideoStreamInfo, type AudioStreamInfo, type ProbeOptions } from './probe.js';
export { checkMediaLimits, probeWithinLimits, mediaLimitsFromConfig, DEFAULT_MEDIA_LIMITS, type MediaLimits } from './limits.js';
export { ffmpegProblem, ffmpegJobError } from './problem.js';
export { buildLadderArgs, dashAudioRepresentations, LADDER_FILES, type LadderRung, type LadderOutput, type LadderArgsOptions } from './ladder-args.js';
export {
  parseMaster,
  parseMediaPlaylist,
  parseAttributes,
  measurePlaylist,
  rewriteMaster,
  type MasterPlaylist,
  type MasterVariant,
  type MediaPlaylist,
  type MediaSegment,
  type PlaylistRate,
  type VariantFigures,
} from './hls-master.js';
export { even, scaleFrame, shortSideScale, sizeAtShortSide, type FrameSize } from './frame-size.js';
