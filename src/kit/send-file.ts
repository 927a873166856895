// Sends a file with HTTP Range support (a single byte range, as players and resumable downloads
// use), so large outputs are streamed from disk and never read into memory.
import { createReadStream, type Stats } from 'node:fs';
import { stat } from 'node:fs/promises';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { Problem } from './problems.js';

export interface ByteRange {
  start: number;
  end: number;
}

/** Parses a `Range` header against a size: a range, `null` (serve whole), or 'unsatisfiable'. */
export function parseRange(header: string | undefined, size: number): ByteRange | null | 'unsatisfiable' {
  if (header === undefined) return null;
  const m = /^bytes=(\d*)-(\d*)$/.exec(header.trim());
  if (m === null) return null; // multiple or foreign ranges: RFC 9110 lets us send the whole file
  const [, a = '', b = ''] = m;
  if (a === '' && b === '') return null;
  let start: number;
  let end: number;
  if (a === '') {
    start = Math.max(0, size - Number(b));
    end = size - 1;
  } else {
    start = Number(a);
    end = b === '' ? size - 1 : Math.min(Number(b), size - 1);
  }
  if (start >= size || start > end || size === 0) return 'unsatisfiable';
  return { start, end };
}

/** `stats`: the file's, when the caller has just read them (saves a second stat per request). */
export async function sendFile(req: FastifyRequest, reply: FastifyReply, options: { path: string; contentType: string; filename?: string; stats?: Stats }): Promise<FastifyReply> {
  const info = options.stats ?? (await stat(options.path));
  const range = parseRange(req.headers.range, info.size);
  if (range === 'unsatisfiable') {
    throw new Problem('RANGE_NOT_SATISFIABLE', `The file has ${info.size} bytes.`, { headers: { 'content-range': `bytes */${info.size}` } });
  }
  reply.header('accept-ranges', 'bytes').type(options.contentType).header('last-modified', info.mtime.toUTCString());
  if (options.filename !== undefined) reply.header('content-disposition', `attachment; filename="${options.filename.replace(/["\\\r\n]/g, '_')}"`);
  if (range === null) return reply.header('content-length', info.size).send(createReadStream(options.path));
  return reply
    .code(206)
    .header('content-range', `bytes ${range.start}-${range.end}/${info.size}`)
    .header('content-length', range.end - range.start + 1)
    .send(createReadStream(options.path, { start: range.start, end: range.end }));
}
