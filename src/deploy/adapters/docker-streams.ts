// The Docker Engine API's two stream formats the driver reads: a container's logs without a TTY
// (frames of an 8-byte header — stream, 3 zero bytes, big-endian length — then the payload), and
// the events stream (one JSON object per line, split anywhere across chunks).

/** The text of a non-TTY logs answer as lines, stdout and stderr in the order they were written. */
export function demuxLogs(buffer: Buffer): string[] {
  const out: string[] = [];
  let offset = 0;
  let text = '';
  while (offset + 8 <= buffer.length) {
    const stream = buffer[offset];
    const size = buffer.readUInt32BE(offset + 4);
    // Not a frame header (a TTY container's raw output): take the rest as text.
    if (stream === undefined || stream > 2 || buffer[offset + 1] !== 0) break;
    text += buffer.subarray(offset + 8, offset + 8 + size).toString('utf8');
    offset += 8 + size;
  }
  if (offset < buffer.length) text += buffer.subarray(offset).toString('utf8');
  for (const line of text.split('\n')) out.push(line);
  if (out.at(-1) === '') out.pop();
  return out;
}

/** A line of `logs({ timestamps: true })`: its RFC 3339 timestamp (nanoseconds, UTC) and the text after it. */
export function splitTimestamp(stamped: string): { at: string; line: string } {
  const space = stamped.indexOf(' ');
  return space < 0 ? { at: '', line: stamped } : { at: stamped.slice(0, space), line: stamped.slice(space + 1) };
}

/**
 * A docker timestamp made comparable as text: the daemon trims the fraction's trailing zeros
 * (`…:05.1Z` after `…:05.09Z`), so it is padded to nine digits. Null for anything else.
 */
export function timestampKey(at: string): string | null {
  const m = /^(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d)(?:\.(\d{1,9}))?Z$/.exec(at);
  return m === null ? null : `${m[1]}.${(m[2] ?? '').padEnd(9, '0')}Z`;
}

export interface DockerEvent {
  Type?: string;
  Action?: string;
  id?: string;
  Actor?: { ID?: string; Attributes?: Record<string, string> };
  time?: number;
}

/** Calls `onEvent` with each whole JSON line of an events stream; a malformed line is skipped. */
export function readEvents(stream: NodeJS.ReadableStream, onEvent: (event: DockerEvent) => void): void {
  let pending = '';
  stream.on('data', (chunk: Buffer | string) => {
    const lines = (pending + chunk.toString()).split('\n');
    pending = lines.pop() ?? '';
    for (const line of lines) {
      if (line.trim() === '') continue;
      try {
        onEvent(JSON.parse(line) as DockerEvent);
      } catch {
        /* not JSON: the daemon never sends it, skip rather than stop */
      }
    }
  });
}
