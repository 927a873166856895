// Media transcoder (:8084, /api/media/ and /streams/): HLS and DASH ladders encoded in one ffmpeg
// pass, the stream files they produce, and live RTMP or SRT ingest into a sliding HLS window.
import { randomUUID } from 'node:crypto';
import { mediaLimitsFromConfig, readFfmpegCapabilities } from '../../ffmpeg/index.js';
import {
  Problem,
  StringEnum,
  Type,
  invalidField,
  prefixOf,
  receiveMultipart,
  requireFile,
  type HttpApp,
  type JobHandler,
  type ServiceContext,
  type ServiceManifest,
  type Static,
} from '../../kit/index.js';
import { LIVE_START_DOC, LIVE_STREAM_DOC, LiveStreamAnswer, QualityPresetsAnswer, type LiveStartedAnswer } from './answers.js';
import { parseQualities } from './ladder.js';
import { createLadderHandler } from './ladder-job.js';
import { LIVE_PROTOCOLS, SRT_KEY, type LiveProtocol } from './live-protocols.js';
import { LiveIngests } from './live.js';
import { QUALITY_PRESETS, bandwidthOf } from './presets.js';
import { relayDelete, relayStream, createStreamHomes, type StreamHomes } from './stream-homes.js';
import { presentStream, registerStreamRoutes, type StreamsElsewhere } from './stream-routes.js';
import { StreamStore } from './stream-store.js';
import { keepStream, registerStreamCommitRoute } from './stream-transfer.js';

/** Video containers by content (mp4, mov, mkv, webm, avi, flv, wmv/asf). */
const VIDEO_TYPES = ['video/*', 'application/vnd.ms-asf'];
const STREAM_NAME = /^[\w .-]{1,100}$/;
const STREAM_KEY = /^[A-Za-z0-9_-]{8,64}$/;

interface MediaState {
  store: StreamStore;
  live: LiveIngests;
  /** Where streams are kept when instances have their own disks (a Redis job store); else null. */
  homes: StreamHomes | null;
}
const states = new WeakMap<ServiceContext, Promise<MediaState>>();

/** The service instance's store and live ingests, opened once (routes and job handlers share them). */
function state(ctx: ServiceContext): Promise<MediaState> {
  let s = states.get(ctx);
  if (s === undefined) {
    s = StreamStore.open(ctx.dataDir).then((store) => {
      const { liveHost, livePorts, liveIdleTimeoutMs, liveMaxMs } = ctx.config;
      const homes = ctx.config.jobStoreUrl === null ? null : createStreamHomes(ctx.config.jobStoreUrl);
      return { store, homes, live: new LiveIngests(store, { host: liveHost, ports: livePorts, idleTimeoutMs: liveIdleTimeoutMs, maxMs: liveMaxMs }) };
    });
    states.set(ctx, s);
  }
  return s;
}

async function formatsSupported(): Promise<string[]> {
  const caps = await readFfmpegCapabilities();
  return [caps.muxers.has('hls') ? 'hls' : null, caps.muxers.has('dash') ? 'dash' : null].filter((f) => f !== null);
}

function streamName(raw: string | undefined): string | null {
  if (raw === undefined || raw.trim() === '') return null;
  if (!STREAM_NAME.test(raw.trim())) throw invalidField('body/stream_name', 'must be 1–100 letters, digits, spaces, ".", "-" or "_"');
  return raw.trim();
}

function registerLadderRoute(app: HttpApp, ctx: ServiceContext, path: string, type: 'hls' | 'dash'): void {
  app.post(
    path,
    {
      schema: {
        summary: `Encode an uploaded video into a ${type.toUpperCase()} ladder (one ffmpeg pass); a job`,
        doc: {
          upload: { fields: { qualities: { type: 'string', description: 'comma-separated presets (GET /quality-presets)' }, stream_name: { type: 'string', maxLength: 100 } } },
          job: true,
          problems: ['UNPROCESSABLE', 'DEPENDENCY_MISSING'],
        },
      },
    },
    async (req, reply) => {
      const form = await receiveMultipart(req, ctx.tmpDir, { maxBytes: ctx.config.mediaMaxUploadMb * 1024 * 1024, accept: VIDEO_TYPES });
      const file = requireFile(form);
      parseQualities(form.fields.qualities);
      const payload = { streamId: randomUUID(), qualities: form.fields.qualities, streamName: streamName(form.fields.stream_name) };
      return ctx.submit(req, reply, { type, payload, inputs: [file] });
    },
  );
}

const LiveBody = Type.Object(
  {
    protocol: Type.Optional(StringEnum(LIVE_PROTOCOLS, { default: 'rtmp', description: 'rtmp (TCP) or srt (UDP, MPEG-TS; the key is the passphrase)' })),
    stream_key: Type.Optional(Type.String({ pattern: STREAM_KEY.source, description: "the publisher's key (for SRT its passphrase, 10–64 characters); generated when absent" })),
    qualities: Type.Optional(Type.String({ maxLength: 100, description: 'default mobile,low' })),
    stream_name: Type.Optional(Type.String({ maxLength: 100 })),
    audio: Type.Optional(Type.Boolean({ default: true, description: 'whether the published stream carries audio' })),
  },
  { additionalProperties: false },
);

/** The publisher's key: the one asked for, or a generated one; an SRT key is a passphrase, so 10 characters at least. */
function streamKeyFor(protocol: LiveProtocol, asked: string | undefined): string {
  if (protocol === 'srt' && asked !== undefined && !SRT_KEY.test(asked)) throw invalidField('body/stream_key', 'is the SRT passphrase: 10–64 letters, digits, "-" or "_"');
  return asked ?? randomUUID().replaceAll('-', '');
}

/** This instance's address on a shared job store (set once it listens), which it records as the home of what it keeps. */
const selfOf = (ctx: ServiceContext): string | null => ctx.jobs.origin?.url ?? null;

function streamsElsewhere(ctx: ServiceContext, { homes }: MediaState): StreamsElsewhere | null {
  if (homes === null) return null;
  return {
    file: (req, reply, id, file) => relayStream(homes, selfOf(ctx), req, reply, id, file),
    delete: (req, reply, id) => relayDelete(homes, selfOf(ctx), req, reply, id),
    forget: (id) => homes.delete(id),
  };
}

function registerLiveRoutes(app: HttpApp, s: MediaState, ctx: ServiceContext): void {
  app.post('/live-stream', { schema: { body: LiveBody, summary: 'Open an RTMP or SRT ingest that publishes a live HLS window', doc: LIVE_START_DOC } }, async (req, reply) => {
    const body = req.body;
    const presets = parseQualities(body.qualities, ['mobile', 'low']);
    const protocol = body.protocol ?? 'rtmp';
    const streamKey = streamKeyFor(protocol, body.stream_key);
    const { record, ingestUrl } = await s.live.start({ protocol, streamKey, presets, audio: body.audio ?? true, name: streamName(body.stream_name), publicHost: req.hostname.replace(/:\d+$/, '') });
    // A live stream stays on the host whose ffmpeg writes it; the others relay its files from here.
    const self = selfOf(ctx);
    if (self !== null && s.homes !== null) {
      // Unfindable by the others, it is not opened at all: the client's 503 leaves nothing behind.
      await s.homes.set(record.id, self).catch(async (err: unknown) => {
        await s.live.stop(record.id);
        await s.store.remove(record.id);
        throw err;
      });
    }
    const answer: Static<typeof LiveStartedAnswer> = {
      stream_id: record.id,
      status: record.live?.status ?? 'waiting',
      protocol,
      ingest_url: ingestUrl,
      stream_key: streamKey,
      hls_url: `/streams/${record.id}/${record.entry}`,
      qualities: presets.map((p) => p.name),
      // The status route is this service's, reached through the gateway's prefix; the stream files
      // are under /streams/, which the gateway routes as it is.
      status_url: `${prefixOf(req)}/live-stream/${record.id}`,
      idle_timeout_seconds: Math.round(s.live.settings.idleTimeoutMs / 1000),
    };
    return reply.code(201).send(answer);
  });
  app.get(
    '/live-stream/:id',
    { schema: { params: Type.Object({ id: Type.String({ maxLength: 64 }) }), summary: "A live stream's state", doc: LIVE_STREAM_DOC } },
    async (req): Promise<Static<typeof LiveStreamAnswer>> => {
      const record = await s.store.require(req.params.id);
      if (record.live === undefined) throw new Problem('STREAM_NOT_FOUND', `Stream ${record.id} is not a live stream.`);
      return { stream_id: record.id, ...(await presentStream(s.store, record)), running: s.live.isRunning(record.id) };
    },
  );
}

export const mediaService: ServiceManifest = {
  name: 'media',
  title: 'Pitchey media transcoder',
  description: 'Adaptive streaming (HLS, DASH) ladders and live streams on ffmpeg.',
  requiredTools: ['ffmpeg', 'ffprobe'],
  jobHandlers(ctx) {
    // Handlers run after routes() has opened the store; the lookup is deferred to each job.
    const settings = (kind: 'hls' | 'dash') => ({ kind, segmentSeconds: ctx.config.hlsSegmentSeconds, limits: mediaLimitsFromConfig(ctx.config) });
    const keep = keepStream(() => state(ctx));
    const run = (kind: 'hls' | 'dash'): JobHandler => createLadderHandler(keep, settings(kind));
    return { hls: run('hls'), dash: run('dash') };
  },
  async routes(app, ctx) {
    const s = await state(ctx);
    await s.live.recover();
    app.get('/quality-presets', { config: { auth: 'public' }, schema: { summary: 'The streaming ladder', doc: { ok: { json: QualityPresetsAnswer } } } }, (): Static<typeof QualityPresetsAnswer> => ({
      presets: Object.fromEntries(
        QUALITY_PRESETS.map((p) => [
          p.name,
          {
            resolution: `${p.width}x${p.height}`,
            video_bitrate: `${p.videoKbps}k`,
            audio_bitrate: `${p.audioKbps}k`,
            fps: p.fps,
            bandwidth: bandwidthOf(p),
          },
        ]),
      ),
    }));
    registerLadderRoute(app, ctx, '/hls-transcode', 'hls');
    registerLadderRoute(app, ctx, '/dash', 'dash');
    registerStreamRoutes(app, s.store, { formats: formatsSupported, stopLive: (id) => s.live.stop(id), elsewhere: streamsElsewhere(ctx, s) });
    registerLiveRoutes(app, s, ctx);
    if (ctx.jobs.origin !== null) registerStreamCommitRoute(app, ctx.jobs, s.store, s.homes);
  },
  async onDrain(ctx) {
    const s = await states.get(ctx);
    await s?.live.stopAll();
    await s?.homes?.close();
  },
};
