// Pure planning: output sizes, the remux decision, compression bitrates, the disk check.
import { describe, expect, it } from 'vitest';
import { parseProbeJson, type MediaInfo } from '../../../src/ffmpeg/index.js';
import { compressBitrates, MB } from '../../../src/services/video/compress.js';
import { canRemux, outputSize, transcodePlan } from '../../../src/services/video/encode-args.js';
import { requireDiskSpace } from '../../../src/kit/index.js';
import { parseQualities, planLadder } from '../../../src/services/media/ladder.js';

function media(video: Record<string, unknown>, audio: Record<string, unknown> | null, format: Record<string, unknown> = {}): MediaInfo {
  return parseProbeJson(
    {
      format: { format_name: 'mov,mp4,m4a,3gp,3g2,mj2', duration: '10', bit_rate: '1000000', ...format },
      streams: [
        { codec_type: 'video', codec_name: 'h264', width: 1280, height: 720, avg_frame_rate: '30/1', pix_fmt: 'yuv420p', bit_rate: '900000', ...video },
        ...(audio === null ? [] : [{ codec_type: 'audio', codec_name: 'aac', channels: 2, sample_rate: '48000', bit_rate: '128000', ...audio }]),
      ],
    },
    1_250_000,
  );
}

describe('output size', () => {
  const v = media({}, null).video!;
  it('fits the box keeping the aspect, in even numbers', () => {
    expect(outputSize(v, { width: 640, height: 640 }, false)).toEqual({ width: 640, height: 360, scaled: true, upscaleRefused: false });
    expect(outputSize(v, { width: null, height: 481 }, false)).toMatchObject({ width: 856, height: 480 });
    expect(outputSize(v, null, false)).toEqual({ width: 1280, height: 720, scaled: false, upscaleRefused: false });
  });
  it('does not upscale unless allowed, and works on the displayed (rotated) size', () => {
    expect(outputSize(v, { width: 1920, height: 1080 }, false)).toEqual({ width: 1280, height: 720, scaled: false, upscaleRefused: true });
    expect(outputSize(v, { width: 1920, height: 1080 }, true)).toMatchObject({ width: 1920, height: 1080, scaled: true });
    const portrait = media({ side_data_list: [{ side_data_type: 'Display Matrix', rotation: 90 }] }, null).video!;
    expect(outputSize(portrait, { width: 1280, height: 720 }, false)).toMatchObject({ width: 406, height: 720 });
  });
  it('reads a named size ("720p") as the short side, the same size the media ladder gives', () => {
    const cases = [
      { width: 1280, height: 720 },
      { width: 720, height: 1280 },
      { width: 1080, height: 1080 },
      { width: 1440, height: 1080 },
    ];
    for (const src of cases) {
      const video = media({ width: src.width, height: src.height }, null).video!;
      for (const q of ['mobile', 'low', 'medium'] as const) {
        const short = { mobile: 240, low: 480, medium: 720 }[q];
        const [rung] = planLadder(parseQualities(q), { ...src, fps: 30 }).rungs;
        expect(outputSize(video, { width: null, height: short }, false), `${src.width}x${src.height} ${short}p`).toMatchObject({ width: rung!.width, height: rung!.height });
      }
    }
    expect(outputSize(media({ width: 720, height: 1280 }, null).video!, { width: null, height: 720 }, false)).toMatchObject({ width: 720, height: 1280, scaled: false });
  });
});

describe('remux decision', () => {
  const fit = media({}, {});
  const size = outputSize(fit.video!, null, false);
  it('copies H.264/AAC yuv420p within the preset bitrate into mp4 and mov', () => {
    expect(canRemux(fit, 'mp4', 'medium', size)).toBe(true);
    expect(transcodePlan('/in.mkv', '/out.mov', fit, { format: 'mov', quality: 'medium', size }).args).toEqual(expect.arrayContaining(['-c', 'copy', '+faststart']));
  });
  it('re-encodes when a codec, the pixel format, the size or the bitrate does not fit', () => {
    expect(canRemux(fit, 'webm', 'medium', size)).toBe(false);
    expect(canRemux(media({ pix_fmt: 'yuv422p' }, {}), 'mp4', 'medium', size)).toBe(false);
    expect(canRemux(media({}, { codec_name: 'mp3' }), 'mp4', 'medium', size)).toBe(false);
    expect(canRemux(fit, 'mp4', 'medium', outputSize(fit.video!, { width: 640, height: 360 }, false))).toBe(false);
    expect(canRemux(media({ bit_rate: '20000000' }, {}), 'mp4', 'medium', size)).toBe(false);
    const plan = transcodePlan('/in.avi', '/out.mp4', media({ codec_name: 'mpeg4' }, {}), { format: 'mp4', quality: 'high', size });
    expect(plan.mode).toBe('encode');
    expect(plan.args).toEqual(expect.arrayContaining(['libx264', '-crf', '18', '-preset', 'slow', 'aac', 'file:/out.mp4']));
  });
});

describe('compression bitrates', () => {
  it('splits a target size into video and audio bitrates', () => {
    const b = compressBitrates(media({}, {}), 5, 'medium');
    expect(b.targetBytes).toBe(5 * MB);
    const totalKbps = (5 * MB * 8) / 1000 / 10;
    expect(b.videoKbps + b.audioKbps).toBeLessThan(totalKbps);
    expect(b.videoKbps + b.audioKbps).toBeGreaterThan(totalKbps * 0.9);
  });
  it("takes the contract's fractions of the input bitrate without a target", () => {
    expect(compressBitrates(media({}, {}), null, 'light').videoKbps).toBe(720);
    expect(compressBitrates(media({}, {}), null, 'extreme').videoKbps).toBe(180);
  });
  it('refuses a target that cannot be reached', () => {
    expect(() => compressBitrates(media({}, {}), 0.01, 'medium')).toThrow(/too small/);
  });
});

describe('disk check', () => {
  it('answers 507 when the job would not fit on the disk', async () => {
    await expect(requireDiskSpace('/tmp', Number.MAX_SAFE_INTEGER)).rejects.toMatchObject({ code: 'STORAGE_INSUFFICIENT', status: 507 });
    await expect(requireDiskSpace('/tmp', 1)).resolves.toBeUndefined();
  });
});
