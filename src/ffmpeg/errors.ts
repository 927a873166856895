// The one failure type of the ffmpeg layer: what went wrong (kind) and why, in ffmpeg's words.
/** `unavailable`: the tool could not be started at all; `failed`: it ran and failed, not for its input. */
export type FfmpegErrorKind = 'failed' | 'unavailable' | 'timeout' | 'stalled' | 'aborted' | 'invalid-input';

export class FfmpegError extends Error {
  readonly kind: FfmpegErrorKind;
  /** ffmpeg's own explanation (last stderr lines), with server folders stripped. */
  readonly reason: string;

  constructor(kind: FfmpegErrorKind, reason: string) {
    super(reason);
    this.name = 'FfmpegError';
    this.kind = kind;
    this.reason = reason;
  }
}

/** Messages that mean the input itself is broken or not media at all, rather than our run. */
const INPUT_FAULTS = [
  /Invalid data found when processing input/i,
  /moov atom not found/i,
  /could not find codec parameters/i,
  /End of file/i,
  /corrupt/i,
  /truncat/i,
  /error while decoding/i,
  /Output file #\d+ does not contain any stream/i,
  /does not contain any stream/i,
  /Invalid NAL unit/i,
  /header (is )?(damaged|missing|invalid)/i,
  /unknown (format|codec)/i,
  /EBML header parsing failed/i,
];

export function looksLikeInputFault(stderr: string): boolean {
  return INPUT_FAULTS.some((re) => re.test(stderr));
}

/**
 * ffmpeg's log prefixes name a component and its heap address (`[h264 @ 0x55…]`,
 * `[in#0/mov,mp4,… @ 0x55…]`): an address tells a client about our process's memory layout
 * (ASLR) and nothing about its file, so the prefix goes, and so does an address written inline.
 */
function withoutAddresses(line: string): string {
  return line.replace(/\[[^\]\n]*? @ 0x[0-9a-f]+\]\s*/gi, '').replace(/\s*@ 0x[0-9a-f]+/gi, '');
}

/** The last meaningful stderr lines, folders and heap addresses removed so neither reaches a client. */
export function stderrReason(stderr: string, maxLines = 4): string {
  const lines = stderr
    .split(/\r?\n/)
    .map((l) => withoutAddresses(l).trim())
    .filter((l) => l !== '' && !/^(frame|size)=/.test(l));
  const tail = lines.slice(-maxLines).join('; ');
  const clean = tail.replace(/(?:file:)?(?:\/[^\s/:'"]+)+\/([^\s/:'"]+)/g, '$1');
  return clean.length > 600 ? `…${clean.slice(-600)}` : clean;
}
