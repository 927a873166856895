// Minimal typings for the playlist parsers the media tests use (the packages ship none).
declare module 'm3u8-parser' {
  export class Parser {
    push(text: string): void;
    end(): void;
    manifest: {
      playlists?: Array<{ uri: string; attributes: Record<string, unknown> }>;
      segments: Array<{ uri: string; duration: number; map?: { uri: string } }>;
      endList?: boolean;
      targetDuration?: number;
      mediaGroups?: Record<string, unknown>;
    };
  }
}
declare module 'mpd-parser' {
  export function parse(
    xml: string,
    options?: { manifestUri?: string },
  ): {
    duration: number;
    playlists: Array<{ attributes: Record<string, unknown>; segments: Array<{ uri: string; duration: number; map?: { uri: string } }> }>;
    mediaGroups: { AUDIO: Record<string, Record<string, { playlists: Array<{ attributes: Record<string, unknown>; segments: Array<{ uri: string; duration: number }> }> }>> };
  };
}
