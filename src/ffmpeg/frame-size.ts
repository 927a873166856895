// Frame sizes as the whole platform reads them. A named size ("720p") is the frame's SHORT side,
// as the media ladder, YouTube and PeerTube mean it: 720p is 1280x720 in landscape and 720x1280
// in portrait, never a 406x720 portrait squeezed to a landscape height.

/** x264 and 4:2:0 need even sides. */
export const even = (n: number): number => Math.max(2, Math.round(n / 2) * 2);

export interface FrameSize {
  width: number;
  height: number;
}

/** The factor that brings the frame's short side to `short` pixels. */
export function shortSideScale(frame: FrameSize, short: number): number {
  return short / Math.min(frame.width, frame.height);
}

/** The frame scaled by `scale`, aspect and orientation kept, both sides even. */
export function scaleFrame(frame: FrameSize, scale: number): FrameSize {
  return { width: even(frame.width * scale), height: even(frame.height * scale) };
}

/** The frame at a named size: `short` pixels on its short side. */
export function sizeAtShortSide(frame: FrameSize, short: number): FrameSize {
  return scaleFrame(frame, shortSideScale(frame, short));
}
