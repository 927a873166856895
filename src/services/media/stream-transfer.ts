// A finished HLS/DASH stream goes where its job was accepted, as PeerTube's runners upload the
// playlists and segments they made back to the instance: run at home, it moves into this disk's
// store; run on another disk (an instance or a `pitchey worker` on a Redis job store), its folder
// is sent home file by file over the job's transfer (token, name and size checks: the kit's) and
// the accepting instance files it in its store whole, then records itself as the stream's home.
import { rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { LADDER_FILES } from '../../ffmpeg/index.js';
import { INTERNAL_ROUTE, JobError, Problem, Type, receivedFolder, remoteTransfer, sendFolderHome, transferOf, type HttpApp, type JobContext, type ServiceContext } from '../../kit/index.js';
import type { LadderJobPayload } from './ladder-job.js';
import type { StreamHomes } from './stream-homes.js';
import type { StreamRecord, StreamStore } from './stream-store.js';

/** What the runner says of the stream it sends; the rest of the record comes from the job itself. */
const StreamSent = Type.Object(
  {
    created: Type.String({ format: 'date-time' }),
    audioRepresentations: Type.Optional(Type.Array(Type.String({ pattern: '^[0-9]{1,3}$' }), { maxItems: 32 })),
  },
  { additionalProperties: false },
);
const COMMIT_ROUTE = 'stream';

/** Files a finished stream folder: in this disk's store, or sent to the accepting instance's. */
export type KeepStream = (ctx: JobContext, record: StreamRecord, dir: string) => Promise<void>;

export function keepStream(local: () => Promise<{ store: StreamStore; homes: StreamHomes | null }>): KeepStream {
  return async (ctx, record, dir) => {
    const away = await remoteTransfer(ctx);
    if (away !== null) {
      const sent: typeof StreamSent.static = { created: record.created, ...(record.audioRepresentations ? { audioRepresentations: record.audioRepresentations } : {}) };
      await sendFolderHome(ctx, away, dir, { route: COMMIT_ROUTE, body: sent });
      return;
    }
    const { store, homes } = await local();
    // At home on a shared job store: the instance that accepted it (this disk) is its home.
    const transfer = transferOf(ctx.payload);
    if (transfer !== null && homes !== null) {
      // An outage is not the job's fault: it runs again while attempts remain.
      await homes.set(record.id, transfer.origin).catch((err: unknown) => {
        throw new JobError('JOB_STORE_UNAVAILABLE', err instanceof Error ? err.message : String(err), { retryable: true });
      });
    }
    await store.put(record, dir);
  };
}

/** Files a stream sent home for a running ladder job this instance accepted. */
export function registerStreamCommitRoute(app: HttpApp, jobs: ServiceContext['jobs'], store: StreamStore, homes: StreamHomes | null): void {
  app.post(`/internal/jobs/:id/${COMMIT_ROUTE}`, { ...INTERNAL_ROUTE, schema: { hide: true, params: Type.Object({ id: Type.String({ maxLength: 64 }) }), body: StreamSent } }, async (req) => {
    const { job, path } = await receivedFolder(jobs, req.params.id, req);
    const type = job.type === 'hls' || job.type === 'dash' ? job.type : null;
    if (type === null) throw new Problem('BAD_REQUEST', `Job ${job.id} makes no stream.`);
    const p = job.payload as LadderJobPayload;
    const entry = type === 'hls' ? LADDER_FILES.master : LADDER_FILES.mpd;
    if (!(await stat(join(path, entry)).catch(() => null))?.isFile()) throw new Problem('BAD_REQUEST', `The stream sent has no ${entry}.`);
    const origin = transferOf(job.payload)?.origin;
    if (origin !== undefined) await homes?.set(p.streamId, origin);
    const { created, audioRepresentations } = req.body;
    await store.put({ id: p.streamId, type, name: p.streamName, created, entry, ...(audioRepresentations ? { audioRepresentations } : {}) }, path);
    // The stream is all that is kept, as at home; the upload would otherwise wait for the job's TTL.
    await Promise.all(p.inputs.map((f) => rm(f.path, { force: true })));
    return { stream_id: p.streamId };
  });
}
