// The success answers of media's preset and live routes: each handler is typed by its
// schema and the OpenAPI document carries the same one. `GET /streams`' and the delete's are in stream-routes.ts.
import { Nullable, StringEnum, Type, type RouteDoc } from '../../kit/index.js';
import { LIVE_PROTOCOLS } from './live-protocols.js';
import { StreamAnswer } from './stream-routes.js';

export const QualityPresetsAnswer = Type.Object({
  presets: Type.Record(
    Type.String({ description: 'The preset a request names (`qualities`)' }),
    Type.Object({
      resolution: Type.String({ pattern: '^\\d+x\\d+$' }),
      video_bitrate: Type.String({ description: 'e.g. `800k`' }),
      audio_bitrate: Type.String(),
      fps: Nullable(Type.Number({ minimum: 1, description: 'null: the source rate' })),
      bandwidth: Type.Integer({ minimum: 1, description: 'Bits per second, as the playlists declare it' }),
    }),
  ),
});

export const LiveStartedAnswer = Type.Object({
  stream_id: Type.String(),
  status: StringEnum(['waiting', 'live', 'ended', 'failed'], { description: '`waiting` until the publisher connects' }),
  protocol: StringEnum(LIVE_PROTOCOLS),
  ingest_url: Type.String({ description: 'Where the publisher sends (rtmp://… or srt://…)' }),
  stream_key: Type.String({ description: "The publisher's key (SRT: its passphrase)" }),
  hls_url: Type.String(),
  qualities: Type.Array(Type.String()),
  status_url: Type.String(),
  idle_timeout_seconds: Type.Integer({ minimum: 0 }),
});
export const LIVE_START_DOC: RouteDoc = { ok: { json: LiveStartedAnswer, status: 201 }, problems: ['LIVE_PORTS_EXHAUSTED'] };

export const LiveStreamAnswer = Type.Composite([Type.Object({ stream_id: Type.String(), running: Type.Boolean({ description: 'Its ingest runs on this instance' }) }), StreamAnswer]);
export const LIVE_STREAM_DOC: RouteDoc = { ok: { json: LiveStreamAnswer }, problems: ['STREAM_NOT_FOUND'] };
