// How a request asks for a track: `X-Pitchey-Track` (admin credentials only) pins it; with
// stickiness on, the caller's API key, or else a `pitchey_track` cookie set here, keeps it on one.
import { randomUUID } from 'node:crypto';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { ADMIN_SCOPE, Problem, invalidField, keyId, type Authenticator } from '../kit/index.js';
import { TRACKS, type InstancePool, type PickOptions, type Track } from './pool.js';

export const TRACK_HEADER = 'x-pitchey-track';
export const TRACK_COOKIE = 'pitchey_track';
const COOKIE_VALUE = /^[0-9a-f-]{36}$/;
const COOKIE_MAX_AGE_S = 7 * 24 * 3600;

/** The track the header pins, after checking the caller may pin one; undefined without the header. */
export async function pinnedTrack(req: FastifyRequest, authenticate: Authenticator): Promise<Track | undefined> {
  const raw = req.headers[TRACK_HEADER];
  if (raw === undefined) return undefined;
  try {
    await authenticate(req.headers, ADMIN_SCOPE);
  } catch (err) {
    throw new Problem('SCOPE_MISSING', `X-Pitchey-Track needs credentials with the "${ADMIN_SCOPE}" scope.`, { cause: err });
  }
  const value = Array.isArray(raw) ? raw : raw.trim();
  if (typeof value !== 'string' || !(TRACKS as readonly string[]).includes(value)) {
    throw invalidField('headers/x-pitchey-track', `must be one of ${TRACKS.join(', ')}`);
  }
  return value as Track;
}

function readCookie(req: FastifyRequest, name: string): string | undefined {
  for (const part of (req.headers.cookie ?? '').split(';')) {
    const [k, ...v] = part.trim().split('=');
    if (k === name) return v.join('=');
  }
  return undefined;
}

/** The caller's sticky key: its API key's id, else its cookie (set on this reply when missing). */
export function stickyKeyFor(req: FastifyRequest, reply: FastifyReply): string {
  const apiKey = req.headers['x-api-key'];
  if (typeof apiKey === 'string' && apiKey !== '') return keyId(apiKey);
  const cookie = readCookie(req, TRACK_COOKIE);
  if (cookie !== undefined && COOKIE_VALUE.test(cookie)) return `cookie:${cookie}`;
  const fresh = randomUUID();
  const secure = req.protocol === 'https' ? '; Secure' : '';
  reply.header('set-cookie', `${TRACK_COOKIE}=${fresh}; Path=/; Max-Age=${COOKIE_MAX_AGE_S}; HttpOnly; SameSite=Lax${secure}`);
  return `cookie:${fresh}`;
}

/** What the pool should honour for this request, besides the instances already tried. */
export async function choiceFor(req: FastifyRequest, reply: FastifyReply, pool: InstancePool, authenticate: Authenticator): Promise<Omit<PickOptions, 'exclude'>> {
  const track = await pinnedTrack(req, authenticate);
  if (track !== undefined) return { track };
  return pool.sticky ? { stickyKey: stickyKeyFor(req, reply) } : {};
}
