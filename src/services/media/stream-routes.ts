// The stream catalog and files: `GET /streams` (public list), `GET /streams/{id}/…` (public files
// with their types, Range and CORS for players on other origins), `DELETE /stream/{id}` (keyed);
// a stream kept by another instance (hosts with their own disks) is relayed from it.
import { extname } from 'node:path';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { Nullable, Problem, StringEnum, Type, sendFile, type HttpApp, type RouteDoc, type Static } from '../../kit/index.js';
import { LIVE_PROTOCOLS } from './live-protocols.js';
import type { StreamRecord, StreamStore } from './stream-store.js';

const CORS = {
  'access-control-allow-origin': '*',
  'access-control-allow-methods': 'GET, HEAD, OPTIONS',
  'access-control-allow-headers': 'range',
  'access-control-expose-headers': 'content-length, content-range, accept-ranges',
  'access-control-max-age': '86400',
};

const TYPES: Record<string, string> = {
  '.m3u8': 'application/vnd.apple.mpegurl',
  '.mpd': 'application/dash+xml',
  '.mp4': 'video/mp4',
  '.m4s': 'video/iso.segment',
};

/** A file's type by name; DASH files of an audio representation (`init-2.mp4`, `chunk-2-…`) are audio/mp4. */
export function contentTypeOf(record: StreamRecord, file: string): string | null {
  const type = TYPES[extname(file)];
  if (type === undefined) return null;
  const rep = /^(?:init|chunk)-(\d+)[-.]/.exec(file.split('/').pop() ?? '')?.[1];
  if (rep !== undefined && record.audioRepresentations?.includes(rep) === true && type !== TYPES['.mpd']) return 'audio/mp4';
  return type;
}

/** Playlists change while live and are cheap: never cached long; segments never change. */
function cacheControl(record: StreamRecord, type: string): string {
  if (type === TYPES['.m3u8'] || type === TYPES['.mpd']) return record.type === 'live' ? 'no-cache' : 'public, max-age=60';
  return 'public, max-age=86400, immutable';
}

/** A stored or live stream as `GET /streams` lists it (and the ladder and live routes answer it). */
export const StreamAnswer = Type.Object({
  id: Type.String(),
  type: StringEnum(['hls', 'dash', 'live']),
  name: Nullable(Type.String()),
  endpoint: Type.String({ description: 'The file a player opens: `/streams/{id}/master.m3u8` or `…/manifest.mpd`' }),
  created: Type.String({ format: 'date-time' }),
  size: Type.Integer({ minimum: 0, description: 'Bytes stored' }),
  master_playlist: Type.Optional(Type.String({ description: 'DASH streams: the HLS playlist of the same segments' })),
  live: Type.Optional(
    Type.Object({
      status: StringEnum(['waiting', 'live', 'ended', 'failed']),
      protocol: Type.Optional(StringEnum(LIVE_PROTOCOLS)),
      ingestPort: Type.Integer(),
      startedAt: Nullable(Type.String({ format: 'date-time' })),
      endedAt: Nullable(Type.String({ format: 'date-time' })),
      reason: Nullable(Type.String()),
      owner: Type.Optional(Type.Integer({ description: 'The pid of the instance running the ingest' })),
      status_url: Type.String(),
    }),
  ),
});

/** `GET /streams`'s answer. */
export const StreamsAnswer = Type.Object({
  streams: Type.Array(StreamAnswer),
  total_streams: Type.Integer({ minimum: 0 }),
  formats_supported: Type.Array(Type.String(), { description: 'What `/hls-transcode` and `/dash` accept' }),
});

export async function presentStream(store: StreamStore, r: StreamRecord, prefix = ''): Promise<Static<typeof StreamAnswer>> {
  return {
    id: r.id,
    type: r.type,
    name: r.name,
    endpoint: `/streams/${r.id}/${r.entry}`,
    created: r.created,
    size: await store.sizeOf(r),
    ...(r.type === 'dash' ? { master_playlist: `/streams/${r.id}/master.m3u8` } : {}),
    ...(r.live === undefined ? {} : { live: { ...r.live, status_url: `${prefix}/live-stream/${r.id}` } }),
  };
}

const IdParams = Type.Object({ id: Type.String({ maxLength: 64 }) });

/** `DELETE /stream/{id}`'s answer. */
export const DeletedStreamAnswer = Type.Object({ stream_id: Type.String(), status: Type.Literal('deleted'), freed_bytes: Type.Integer({ minimum: 0 }) });
const DELETE_DOC: RouteDoc = { ok: { json: DeletedStreamAnswer }, problems: ['STREAM_NOT_FOUND', 'UPSTREAM_UNAVAILABLE', 'JOB_STORE_UNAVAILABLE'] };

/** Streams kept by other instances (stream-homes.ts): null answers are this instance's 404. */
export interface StreamsElsewhere {
  file(req: FastifyRequest, reply: FastifyReply, id: string, file: string): Promise<FastifyReply | null>;
  delete(req: FastifyRequest, reply: FastifyReply, id: string): Promise<FastifyReply | null>;
  /** The stream kept here is gone: no instance is sent here for it any more. */
  forget(id: string): Promise<void>;
}

export function registerStreamRoutes(app: HttpApp, store: StreamStore, opts: { formats: () => Promise<string[]>; stopLive: (id: string) => Promise<void>; elsewhere: StreamsElsewhere | null }): void {
  app.get('/streams', { config: { auth: 'public' }, schema: { summary: 'Streams stored on this instance', doc: { ok: { json: StreamsAnswer } } } }, async (): Promise<Static<typeof StreamsAnswer>> => {
    const streams = await Promise.all((await store.all()).map((r) => presentStream(store, r)));
    return { streams, total_streams: streams.length, formats_supported: await opts.formats() };
  });

  app.options('/streams/*', { config: { auth: 'public', rateLimit: false }, schema: { hide: true } }, async (_req, reply) => reply.code(204).headers(CORS).send());

  app.get(
    '/streams/:id/*',
    {
      config: { auth: 'public', rateLimit: false },
      schema: {
        params: Type.Object({ id: Type.String({ maxLength: 64 }), '*': Type.String({ maxLength: 512 }) }),
        summary: 'A stream file: playlist, manifest or segment (Range, CORS)',
        doc: {
          ok: { file: [...new Set([...Object.values(TYPES), 'audio/mp4'])] },
          problems: ['STREAM_NOT_FOUND', 'STREAM_PATH_INVALID', 'RANGE_NOT_SATISFIABLE', 'UPSTREAM_UNAVAILABLE', 'JOB_STORE_UNAVAILABLE'],
        },
      },
      // The kit's default keeps resources same-site; stream files are made to be played from anywhere.
      onSend: async (_req, reply) => {
        reply.header('cross-origin-resource-policy', 'cross-origin');
      },
    },
    async (req, reply) => {
      reply.headers(CORS);
      const rel = req.params['*'];
      const here = await store.get(req.params.id);
      if (here === null) {
        const relayed = await opts.elsewhere?.file(req, reply, req.params.id, rel);
        if (relayed) return relayed;
      }
      const record = here ?? (await store.require(req.params.id));
      const type = contentTypeOf(record, rel);
      if (type === null) throw new Problem('STREAM_NOT_FOUND', `Stream ${record.id} serves playlists, manifests and segments only.`);
      const file = await store.resolveFile(record.id, rel);
      reply.header('cache-control', cacheControl(record, type));
      return sendFile(req, reply, { path: file.path, contentType: type, stats: file.stats });
    },
  );

  app.delete(
    '/stream/:id',
    { schema: { params: IdParams, summary: 'Delete a stream (a live one is stopped first) and free its space', doc: DELETE_DOC } },
    async (req, reply): Promise<Static<typeof DeletedStreamAnswer> | FastifyReply> => {
      const here = await store.get(req.params.id);
      if (here === null) {
        const relayed = await opts.elsewhere?.delete(req, reply, req.params.id);
        if (relayed) return relayed;
      }
      const record = here ?? (await store.require(req.params.id));
      if (record.type === 'live') await opts.stopLive(record.id);
      await opts.elsewhere?.forget(record.id);
      const freed = await store.remove(record.id);
      return { stream_id: record.id, status: 'deleted', freed_bytes: freed };
    },
  );
}
