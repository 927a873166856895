// The streaming ladder from the service contract. BANDWIDTH in a master playlist is
// (video + audio) kbit/s × 1000.
export interface QualityPreset {
  name: string;
  width: number;
  height: number;
  fps: number | null;
  videoKbps: number;
  audioKbps: number;
}

export const QUALITY_PRESETS: QualityPreset[] = [
  { name: 'mobile', width: 426, height: 240, fps: null, videoKbps: 400, audioKbps: 64 },
  { name: 'low', width: 854, height: 480, fps: null, videoKbps: 800, audioKbps: 96 },
  { name: 'medium', width: 1280, height: 720, fps: null, videoKbps: 1400, audioKbps: 128 },
  { name: 'high', width: 1920, height: 1080, fps: null, videoKbps: 2800, audioKbps: 160 },
  { name: 'ultra', width: 1920, height: 1080, fps: 60, videoKbps: 5000, audioKbps: 192 },
];

export function bandwidthOf(p: QualityPreset): number {
  return (p.videoKbps + p.audioKbps) * 1000;
}
