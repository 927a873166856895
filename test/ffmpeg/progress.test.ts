import { describe, expect, it } from 'vitest';
import { ProgressParser, progressFromBlock } from '../../src/ffmpeg/index.js';

const block = (outUs: string, speed: string, progress = 'continue'): string =>
  `frame=50\nfps=25.00\nbitrate= 512.0kbits/s\ntotal_size=4096\nout_time_us=${outUs}\nout_time_ms=${outUs}\nout_time=00:00:02.000000\ndup_frames=0\ndrop_frames=0\nspeed=${speed}\nprogress=${progress}\n`;

describe('ffmpeg -progress parsing', () => {
  it('turns a block into percent, output time, speed and ETA against the duration', () => {
    const [p] = new ProgressParser(10).push(block('2000000', '2.0x'));
    expect(p).toEqual({ percent: 20, outTimeS: 2, speed: 2, etaS: 4 });
  });

  it('accepts chunks split anywhere, one figure per finished block', () => {
    const parser = new ProgressParser(4);
    const text = block('1000000', '1x') + block('3000000', '1.5x');
    const seen = [];
    for (let i = 0; i < text.length; i += 7) seen.push(...parser.push(text.slice(i, i + 7)));
    expect(seen.map((p) => p.percent)).toEqual([25, 75]);
    expect(seen[1]?.etaS).toBeCloseTo(0.7, 5);
  });

  it('reports no ETA while speed is N/A or the duration unknown, and 100 % at the end', () => {
    expect(
      progressFromBlock(
        new Map([
          ['out_time_us', 'N/A'],
          ['speed', 'N/A'],
          ['progress', 'continue'],
        ]),
        10,
      ),
    ).toEqual({ percent: 0, outTimeS: 0, speed: null, etaS: null });
    const [unknown] = new ProgressParser().push(block('5000000', '3x'));
    expect(unknown).toMatchObject({ percent: 0, etaS: null, outTimeS: 5 });
    const [end] = new ProgressParser(10).push(block('9960000', '3x', 'end'));
    expect(end).toMatchObject({ percent: 100, etaS: 0 });
  });

  it('never reports 100 % before the end, even when the output runs past the probed duration', () => {
    const [p] = new ProgressParser(2).push(block('2500000', '1x'));
    expect(p?.percent).toBe(99.9);
    expect(p?.etaS).toBe(0);
  });
});
