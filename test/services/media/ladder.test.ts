// The ladder planner and the one-pass argument builder, as tables: no ffmpeg needed.
import { describe, expect, it } from 'vitest';
import { buildLadderArgs, type LadderRung } from '../../../src/ffmpeg/index.js';
import { parseQualities, planLadder } from '../../../src/services/media/ladder.js';

const sizes = (rungs: LadderRung[]): string[] => rungs.map((r) => `${r.name}:${r.width}x${r.height}@${r.fps}`);

describe('planLadder', () => {
  const all = parseQualities('mobile,low,medium,high,ultra');
  it.each([
    [
      '1080p30 keeps every rung but ultra (its 60 fps would only duplicate high)',
      { width: 1920, height: 1080, fps: 30 },
      ['high:1920x1080@30', 'medium:1280x720@30', 'low:854x480@30', 'mobile:426x240@30'],
    ],
    ['1080p60 keeps ultra at 60 fps beside high', { width: 1920, height: 1080, fps: 60 }, ['ultra:1920x1080@60', 'high:1920x1080@60', 'medium:1280x720@60', 'low:854x480@60', 'mobile:426x240@60']],
    ['720p never gets an upscaled 1080 rung', { width: 1280, height: 720, fps: 25 }, ['medium:1280x720@25', 'low:854x480@25', 'mobile:426x240@25']],
    ['a portrait 720x1280 source keeps its orientation', { width: 720, height: 1280, fps: 30 }, ['medium:720x1280@30', 'low:480x854@30', 'mobile:240x426@30']],
    ['a 4:3 source keeps its aspect in even sizes', { width: 640, height: 480, fps: 25 }, ['low:640x480@25', 'mobile:320x240@25']],
    ['a source smaller than every preset gets one rung at its own size', { width: 320, height: 180, fps: 25 }, ['mobile:320x180@25']],
  ])('%s', (_name, src, expected) => {
    expect(sizes(planLadder(all, src).rungs)).toEqual(expected);
  });

  it('says which requested renditions it did not make, and why', () => {
    expect(planLadder(all, { width: 854, height: 480, fps: 30 }).skipped).toEqual([
      { name: 'medium', reason: 'source is 854x480; renditions above the source are not made' },
      { name: 'high', reason: 'source is 854x480; renditions above the source are not made' },
      { name: 'ultra', reason: 'source is 854x480; renditions above the source are not made' },
    ]);
    expect(planLadder(all, { width: 1920, height: 1080, fps: 30 }).skipped).toEqual([{ name: 'ultra', reason: 'source is 30 fps; ultra at 60 fps would only repeat the frames of high' }]);
    expect(planLadder(parseQualities('low,medium'), { width: 320, height: 180, fps: 25 })).toMatchObject({
      rungs: [{ name: 'low', width: 320, height: 180 }],
      skipped: [{ name: 'medium', reason: 'source is 320x180; renditions above the source are not made' }],
    });
    expect(planLadder(all, { width: 1920, height: 1080, fps: 60 }).skipped).toEqual([]);
  });

  it('refuses an unknown quality by name', () => {
    expect(() => parseQualities('low,8k')).toThrow(/8k/);
    expect(parseQualities(undefined).map((p) => p.name)).toEqual(['mobile', 'low', 'medium', 'high']);
  });
});

describe('buildLadderArgs', () => {
  const { rungs } = planLadder(parseQualities('mobile,low,medium'), { width: 1280, height: 720, fps: 30 });
  const input = ['-i', 'file:/in.mp4'];

  it('decodes once, scales down a cascade, and encodes each rung with keyframes every 2 s aligned across rungs', () => {
    const args = buildLadderArgs({ input, rungs, audio: true }, { kind: 'hls', dir: '/out', segmentSeconds: 6 });
    expect(args.filter((a) => a === '-i')).toHaveLength(1);
    const graph = args[args.indexOf('-filter_complex') + 1] ?? '';
    // 720p from the source, 480p from the 720p frames, 240p from the 480p frames.
    expect(graph.replace(/scale=[^[]*/g, 'S')).toBe('[0:v:0]null[src_0];[src_0]S[t0];[t0]split=2[v0][r0_1];[r0_1]S[t1];[t1]split=2[v1][r1_2];[r1_2]S[v2]');
    expect(graph).toContain('scale=w=854:h=480');
    expect(args).toEqual(expect.arrayContaining(['-force_key_frames', 'expr:gte(t,n_forced*2)', '-sc_threshold', '0', '-g:v:0', '60', '-keyint_min:v:2', '60']));
    expect(args).toEqual(expect.arrayContaining(['-b:v:0', '1400k', '-b:a:0', '128k', '-b:a:2', '64k', '-hls_time', '6', '-hls_segment_type', 'fmp4']));
    expect(args[args.indexOf('-var_stream_map') + 1]).toBe('v:0,a:0,name:medium v:1,a:1,name:low v:2,a:2,name:mobile');
    expect(args.at(-1)).toBe('/out/%v/index.m3u8');
  });

  it('writes DASH with one shared audio track in its own adaptation set, and HLS playlists beside it', () => {
    const args = buildLadderArgs({ input, rungs, audio: true }, { kind: 'dash', dir: '/out', segmentSeconds: 4 });
    expect(args.filter((a) => a === '0:a:0')).toHaveLength(1);
    expect(args[args.indexOf('-adaptation_sets') + 1]).toBe('id=0,streams=0,1,2 id=1,streams=3');
    expect(args).toEqual(expect.arrayContaining(['-seg_duration', '4', '-hls_playlist', '1']));
  });

  it('scales a rung at another frame rate than the next larger one from the source', () => {
    const mixed = [
      { name: 'ultra', width: 1920, height: 1080, fps: 60, videoKbps: 5000, audioKbps: 192 },
      { name: 'high', width: 1920, height: 1080, fps: null, videoKbps: 2800, audioKbps: 160 },
      { name: 'low', width: 854, height: 480, fps: null, videoKbps: 800, audioKbps: 96 },
    ];
    const args = buildLadderArgs({ input, rungs: mixed, audio: false }, { kind: 'hls', dir: '/out', segmentSeconds: 6 });
    const graph = (args[args.indexOf('-filter_complex') + 1] ?? '').replace(/scale=[^[]*/g, 'S');
    expect(graph).toBe('[0:v:0]split=2[src_0][src_1];[src_0]S[v0];[src_1]S[t1];[t1]split=2[v1][r1_2];[r1_2]S[v2]');
  });

  it('leaves audio out for a silent source and caps live rungs at the source height', () => {
    const args = buildLadderArgs({ input, rungs, audio: false, scale: 'no-upscale' }, { kind: 'live-hls', dir: '/out', segmentSeconds: 2, listSize: 15 });
    expect(args).not.toContain('-c:a');
    expect(args[args.indexOf('-filter_complex') + 1]).toContain("scale=w=-2:h='min(720,ih)'");
    expect(args).toEqual(expect.arrayContaining(['-hls_list_size', '15', '-hls_flags', 'independent_segments+delete_segments+program_date_time']));
  });
});
