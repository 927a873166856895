// Every service manifest by name: `pitchey serve <name>` and `pitchey up` start them from here.
import type { ServiceManifest, ServiceName } from '../kit/index.js';
import { aiService } from './ai/index.js';
import { codeService } from './code/index.js';
import { documentService } from './document/index.js';
import { mediaService } from './media/index.js';
import { videoService } from './video/index.js';

export const SERVICES: Record<ServiceName, ServiceManifest> = {
  video: videoService,
  document: documentService,
  ai: aiService,
  media: mediaService,
  code: codeService,
};
