// The HLS and DASH job: probe within limits, plan the ladder, check the disk, encode every rung in
// one ffmpeg run inside the job's folder, rewrite the master's figures, then keep the finished
// stream (in the store, or sent to the accepting instance's: stream-transfer.ts); a failed or
// cancelled job leaves nothing in it.
import { mkdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import {
  LADDER_FILES,
  buildLadderArgs,
  dashAudioRepresentations,
  ffmpegJobError,
  inputArgs,
  probeWithinLimits,
  rewriteMaster,
  runFfmpeg,
  type LadderRung,
  type MasterPlaylist,
  type MediaLimits,
} from '../../ffmpeg/index.js';
import { JobError, requireDiskSpace, type JobContext, type JobHandler, type JobInput } from '../../kit/index.js';
import { planLadder, parseQualities } from './ladder.js';
import type { StreamType } from './stream-store.js';
import type { KeepStream } from './stream-transfer.js';

export interface LadderJobPayload {
  inputs: JobInput[];
  streamId: string;
  qualities: string | undefined;
  streamName: string | null;
}

/** Rough output size: every rung's nominal bitrate over the duration, with room for the muxer. */
function estimatedBytes(rungs: LadderRung[], durationS: number): number {
  const bps = rungs.reduce((sum, r) => sum + (r.videoKbps + r.audioKbps) * 1000, 0);
  return Math.ceil((bps / 8) * durationS * 1.5) + 64 * 1024 * 1024;
}

function variantsOf(id: string, master: MasterPlaylist, rungs: LadderRung[]): Array<Record<string, unknown>> {
  return master.variants.map((v, i) => ({
    quality: rungs[i]?.name ?? `variant-${i}`,
    resolution: v.attrs.RESOLUTION ?? null,
    bandwidth: Number(v.attrs.BANDWIDTH),
    average_bandwidth: Number(v.attrs['AVERAGE-BANDWIDTH']),
    frame_rate: rungs[i]?.fps ?? null,
    playlist: `/streams/${id}/${v.uri}`,
    codecs: v.attrs.CODECS ?? null,
  }));
}

export interface LadderJobSettings {
  kind: 'hls' | 'dash';
  segmentSeconds: number;
  limits: MediaLimits;
}

async function encode(ctx: JobContext, p: LadderJobPayload, { kind, segmentSeconds, limits }: LadderJobSettings) {
  const input = p.inputs[0];
  if (input === undefined) throw new JobError('UPLOAD_MISSING', 'The job has no input file.');
  const info = await probeWithinLimits(input.path, limits, { signal: ctx.signal });
  if (info.video === null) throw new JobError('UNPROCESSABLE', 'The file has no video stream to stream.');
  const { rungs, skipped } = planLadder(parseQualities(p.qualities), { width: info.video.displayWidth, height: info.video.displayHeight, fps: info.video.fps });
  await requireDiskSpace(ctx.workDir, estimatedBytes(rungs, info.durationS), 'The stream');
  const dir = join(ctx.workDir, 'stream');
  await mkdir(dir);
  const ladder = { input: inputArgs(input.path), rungs, audio: info.audio !== null };
  ctx.progress(1, `encoding ${rungs.length} rung(s) in one pass`);
  await runFfmpeg(buildLadderArgs(ladder, { kind, dir, segmentSeconds }), {
    durationS: info.durationS,
    signal: ctx.signal,
    timeoutMs: 120_000 + Math.ceil(info.durationS * 1000 * 3 * rungs.length),
    onProgress: (pr) => ctx.progress(Math.min(97, 1 + pr.percent * 0.96), 'encoding'),
  });
  const master = await rewriteMaster(
    dir,
    LADDER_FILES.master,
    rungs.map((r) => ({ nominalBps: (r.videoKbps + r.audioKbps) * 1000, frameRate: r.fps })),
  );
  return { dir, rungs, skipped, master, ladder, info };
}

/** One handler per output kind, with the service's segment length and media limits. */
export function createLadderHandler(keep: KeepStream, settings: LadderJobSettings): JobHandler {
  const { kind, segmentSeconds } = settings;
  return async (ctx) => {
    const p = ctx.payload as LadderJobPayload;
    try {
      const { dir, rungs, skipped, master, ladder, info } = await encode(ctx, p, settings);
      const type: StreamType = kind;
      const entry = kind === 'hls' ? LADDER_FILES.master : LADDER_FILES.mpd;
      await keep(
        ctx,
        {
          id: p.streamId,
          type,
          name: p.streamName,
          created: new Date().toISOString(),
          entry,
          ...(kind === 'dash' ? { audioRepresentations: dashAudioRepresentations(ladder) } : {}),
        },
        dir,
      );
      // The stream is all that is kept; the upload would otherwise wait for the job's TTL.
      await Promise.all(p.inputs.map((f) => rm(f.path, { force: true })));
      const base = `/streams/${p.streamId}`;
      const common = {
        stream_id: p.streamId,
        stream_name: p.streamName,
        duration: info.durationS,
        master_playlist: `${base}/${LADDER_FILES.master}`,
        segment_seconds: segmentSeconds,
        skipped_renditions: skipped,
      };
      const variants = variantsOf(p.streamId, master, rungs);
      return { result: kind === 'hls' ? { ...common, variants } : { ...common, manifest: `${base}/${LADDER_FILES.mpd}`, representations: variants, audio: info.audio !== null } };
    } catch (err) {
      throw ffmpegJobError(err);
    }
  };
}
