// The Engine API's logs frames and events lines, as the daemon sends them (split anywhere).
import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { demuxLogs, readEvents, type DockerEvent } from '../../../src/deploy/adapters/docker-streams.js';

function frame(stream: 1 | 2, text: string): Buffer {
  const payload = Buffer.from(text);
  const header = Buffer.alloc(8);
  header[0] = stream;
  header.writeUInt32BE(payload.length, 4);
  return Buffer.concat([header, payload]);
}

describe('demuxLogs', () => {
  it('joins stdout and stderr frames in order and splits lines, a line split across frames included', () => {
    const buffer = Buffer.concat([frame(1, 'listening on 8083\nreq'), frame(2, 'uest failed\n'), frame(1, 'done\n')]);
    expect(demuxLogs(buffer)).toEqual(['listening on 8083', 'request failed', 'done']);
  });
  it('keeps a last line without its newline, and reads raw (TTY) output as text', () => {
    expect(demuxLogs(frame(1, 'a\nb'))).toEqual(['a', 'b']);
    expect(demuxLogs(Buffer.from('plain tty output here\nsecond\n'))).toEqual(['plain tty output here', 'second']);
    expect(demuxLogs(Buffer.alloc(0))).toEqual([]);
  });
});

describe('readEvents', () => {
  it('parses JSON lines split across chunks and skips a malformed one', () => {
    const stream = new PassThrough();
    const seen: DockerEvent[] = [];
    readEvents(stream, (e) => seen.push(e));
    stream.write('{"Type":"container","Action":"die","Actor":{"ID":"abc","Attributes":{"exitCode":"137"}}}\n{"Type":"cont');
    stream.write('ainer","Action":"start","id":"abc"}\nnot json\n');
    expect(seen.map((e) => e.Action)).toEqual(['die', 'start']);
    expect(seen[0]?.Actor?.Attributes?.exitCode).toBe('137');
  });
});
