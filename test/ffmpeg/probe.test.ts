import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkMediaLimits, FfmpegError, parseFraction, parseProbeJson, probe, probeWithinLimits, stderrReason } from '../../src/ffmpeg/index.js';
import { makeTempDir } from '../helpers.js';
import { makeClip, makeDimensionBomb, truncateCopy } from '../support/media-fixtures.js';

const tmp = makeTempDir('pitchey-probe-');
afterAll(() => tmp.remove());
let mp4 = '';
beforeAll(async () => {
  mp4 = await makeClip(tmp.dir, { name: 'plain', seconds: 2, width: 320, height: 240, fps: 25 });
});

describe('probe', () => {
  it('reads container, duration, size, streams and a fractional frame rate', async () => {
    const info = await probe(mp4);
    expect(info.container).toBe('mp4');
    expect(info.durationS).toBeCloseTo(2, 1);
    expect(info.sizeBytes).toBeGreaterThan(1000);
    expect(info.video).toMatchObject({ codec: 'h264', width: 320, height: 240, displayWidth: 320, displayHeight: 240, rotation: 0, fps: 25, fpsFraction: '25/1', pixFmt: 'yuv420p' });
    expect(info.audio).toMatchObject({ codec: 'aac', channels: 1, sampleRate: 48000 });
  });

  it('honours rotation in the display size, and sees a clip without audio', async () => {
    const rotated = await makeClip(tmp.dir, { name: 'portrait', seconds: 1, width: 320, height: 180, rotate: 90 });
    const r = await probe(rotated);
    expect(r.video).toMatchObject({ width: 320, height: 180, rotation: 90, displayWidth: 180, displayHeight: 320 });
    const silent = await makeClip(tmp.dir, { name: 'silent', seconds: 1, width: 160, height: 120, audio: false, container: 'mkv', codec: 'mpeg4', fps: 30000 / 1001 });
    const s = await probe(silent);
    expect(s).toMatchObject({ container: 'mkv', audio: null });
    expect(s.video?.fpsFraction).toBe('30000/1001');
    expect(s.video?.fps).toBeCloseTo(29.97, 2);
  });

  it('names webm, mov, avi, flv and wmv containers', async () => {
    const names = await Promise.all(
      (['webm', 'mov', 'avi', 'flv', 'wmv'] as const).map(async (c) => (await probe(await makeClip(tmp.dir, { name: `c-${c}`, seconds: 1, width: 160, height: 120, container: c }))).container),
    );
    expect(names).toEqual(['webm', 'mov', 'avi', 'flv', 'wmv']);
  });

  it("refuses garbage and truncated files as invalid input with ffprobe's reason, without server paths", async () => {
    const junk = join(tmp.dir, 'junk.mp4');
    await writeFile(junk, 'this is not a video at all'.repeat(50));
    const err = await probe(junk).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(FfmpegError);
    expect(err).toMatchObject({ kind: 'invalid-input' });
    expect((err as FfmpegError).reason).toMatch(/Invalid data/);
    expect((err as FfmpegError).reason).not.toContain(tmp.dir);
    const cut = await truncateCopy(mp4, join(tmp.dir, 'cut.mp4'), 3000);
    await expect(probe(cut)).rejects.toMatchObject({ kind: 'invalid-input' });
  });

  it("keeps ffmpeg's heap addresses out of the reason a client reads", async () => {
    const cut = await truncateCopy(mp4, join(tmp.dir, 'no-index.mp4'), 3000);
    const err = await probe(cut).catch((e: unknown) => e);
    expect((err as FfmpegError).reason).toMatch(/moov atom not found/);
    expect((err as FfmpegError).reason).not.toMatch(/0x[0-9a-f]{6,}/i);
  });

  it('refuses a dimension bomb by limits before anything is decoded', async () => {
    const bomb = await makeDimensionBomb(tmp.dir);
    const info = await probe(bomb);
    expect(info.video).toMatchObject({ width: 16000, height: 16000 });
    await expect(probeWithinLimits(bomb)).rejects.toMatchObject({ kind: 'invalid-input', reason: expect.stringMatching(/16000x16000, beyond the limit/) });
  });
});

describe('probe parsing', () => {
  it('strips every log prefix with an address, whatever its component name (ffmpeg 5 to 7)', () => {
    const stderr = [
      '[mov,mp4,m4a,3gp,3g2,mj2 @ 0x55e3b97f1200] moov atom not found',
      '[in#0/mov,mp4,m4a,3gp,3g2,mj2 @ 0x55e3b97f1200] Error opening input: Invalid data found when processing input',
      '[vost#0:0/libx264 @ 0x7f3a2c001e40] Error initializing output stream',
      '[h264 @ 0x55e3b97f1200] Invalid NAL unit size (1234 > 99).',
      'Error while decoding stream #0:0 (AVCodecContext @ 0x55e3b97f1200): Invalid data',
    ].join('\n');
    const reason = stderrReason(stderr, 5);
    expect(reason).not.toMatch(/0x[0-9a-f]{6,}|@/i);
    expect(reason).toContain('moov atom not found; Error opening input');
    expect(reason).toContain('Invalid NAL unit size (1234 > 99).');
  });

  it('parses frame rates as fractions only, never as code', () => {
    expect(parseFraction('30000/1001')).toEqual({ value: 29.97, text: '30000/1001' });
    expect(parseFraction('0/0')).toBeNull();
    expect(parseFraction('process.exit(1)')).toBeNull();
    expect(parseFraction('1e3/1')).toBeNull();
  });

  it('takes rotation from the display matrix (negative angles normalised) and swaps the display size', () => {
    const info = parseProbeJson(
      {
        format: { format_name: 'mov,mp4,m4a,3gp,3g2,mj2', duration: '3.5', bit_rate: '1000', tags: { major_brand: 'qt  ' } },
        streams: [
          {
            codec_type: 'video',
            codec_name: 'h264',
            width: 1920,
            height: 1080,
            avg_frame_rate: '0/0',
            r_frame_rate: '24000/1001',
            pix_fmt: 'yuv420p',
            side_data_list: [{ side_data_type: 'Display Matrix', rotation: -90 }],
          },
        ],
      },
      42,
    );
    expect(info).toMatchObject({ container: 'mov', durationS: 3.5, sizeBytes: 42, bitrate: 1000, audio: null });
    expect(info.video).toMatchObject({ rotation: 270, displayWidth: 1080, displayHeight: 1920, fpsFraction: '24000/1001', fps: 23.976 });
  });

  it('applies a non-square pixel aspect to the display width', () => {
    const info = parseProbeJson({ format: { format_name: 'matroska,webm' }, streams: [{ codec_type: 'video', codec_name: 'mpeg2video', width: 720, height: 576, sample_aspect_ratio: '64:45' }] }, 1);
    expect(info.video).toMatchObject({ width: 720, height: 576, displayWidth: 1024, displayHeight: 576 });
  });

  it('checks limits on duration and missing frame sizes too', () => {
    const base = parseProbeJson({ format: { format_name: 'matroska,webm', duration: '90000' }, streams: [{ codec_type: 'video', codec_name: 'vp9', width: 64, height: 64 }] }, 1);
    expect(() => checkMediaLimits(base)).toThrow(/duration of 90000 s/);
    expect(() => checkMediaLimits({ ...base, durationS: 1, video: { ...base.video!, width: 0 } })).toThrow(/no valid frame size/);
    expect(() => checkMediaLimits({ ...base, durationS: 1 })).not.toThrow();
  });
});
