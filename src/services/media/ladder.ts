// Plans the encoding ladder for a source: the requested contract presets, capped at the source's
// size and frame rate (never an upscaled rung), each keeping the source's aspect in even dimensions.
import { invalidField } from '../../kit/index.js';
import { QUALITY_PRESETS, type QualityPreset } from './presets.js';
import { sizeAtShortSide, type LadderRung } from '../../ffmpeg/index.js';

export interface LadderSource {
  width: number;
  height: number;
  fps: number;
}

export const DEFAULT_QUALITIES = ['mobile', 'low', 'medium', 'high'];

/** `mobile,low` → presets in ladder order; an unknown name is a 400 naming the choices. */
export function parseQualities(raw: string | undefined, fallback = DEFAULT_QUALITIES): QualityPreset[] {
  const names =
    raw === undefined || raw.trim() === ''
      ? fallback
      : raw
          .split(',')
          .map((q) => q.trim().toLowerCase())
          .filter(Boolean);
  const unknown = names.filter((n) => !QUALITY_PRESETS.some((p) => p.name === n));
  if (unknown.length > 0) {
    throw invalidField('body/qualities', `has unknown quality "${unknown.join('", "')}"; choose from ${QUALITY_PRESETS.map((p) => p.name).join(', ')}`);
  }
  return QUALITY_PRESETS.filter((p) => names.includes(p.name));
}

/** The rung a preset gives for this source: the preset's height as the short side (what "720p" means), shaped as the source. */
function rungFor(p: QualityPreset, src: LadderSource): LadderRung {
  const { width, height } = sizeAtShortSide(src, Math.min(p.height, src.width, src.height));
  const fps = p.fps === null ? src.fps : Math.min(p.fps, src.fps);
  return { name: p.name, width, height, fps, videoKbps: p.videoKbps, audioKbps: p.audioKbps };
}

/** A requested rendition the ladder does not make, and why: told to the client, never dropped silently. */
export interface SkippedRendition {
  name: string;
  reason: string;
}

export interface LadderPlan {
  rungs: LadderRung[];
  skipped: SkippedRendition[];
}

function whySkipped(p: QualityPreset, src: LadderSource, chosen: QualityPreset[]): string {
  if (p.height > Math.min(src.width, src.height)) return `source is ${src.width}x${src.height}; renditions above the source are not made`;
  const twin = chosen.find((q) => q.height === p.height);
  return `source is ${src.fps} fps; ${p.name} at ${p.fps} fps would only repeat the frames of ${twin?.name ?? 'a rung of its size'}`;
}

/**
 * Rungs whose preset does not exceed the source's short side. A preset asking for more frames than
 * the source has (ultra's 60 fps on a 30 fps source) is dropped when another rung already has its
 * size. When every preset is larger than the source, the smallest is kept at the source's own
 * size, so a small upload still gets a stream. Every preset left out is in `skipped` with its reason.
 */
export function planLadder(presets: QualityPreset[], src: LadderSource): LadderPlan {
  const shortSide = Math.min(src.width, src.height);
  const fitting = presets.filter((p) => p.height <= shortSide);
  const useful = fitting.filter((p) => p.fps === null || p.fps <= src.fps || !fitting.some((q) => q !== p && q.height === p.height));
  const chosen = useful.length > 0 ? useful : presets.slice(0, 1);
  return {
    rungs: chosen.map((p) => rungFor(p, src)).sort((a, b) => b.height * b.width - a.height * a.width || b.videoKbps - a.videoKbps),
    skipped: presets.filter((p) => !chosen.includes(p)).map((p) => ({ name: p.name, reason: whySkipped(p, src, chosen) })),
  };
}
