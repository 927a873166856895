// Every service by name: `pitchey serve <name>` and `pitchey up` start them from here. A service's
// code is imported only when it is served, so `pitchey serve video` does not load the AI models,
// the PDF fonts or the TypeScript compiler (startup time, heap and every GC pay for what is loaded).
import type { ServiceManifest, ServiceName } from '../kit/index.js';

/** Where each service listens when run standalone (the contract's ports). */
export const SERVICE_HOME_PORTS: Record<ServiceName, number> = { video: 8081, document: 8082, ai: 8083, media: 8084, code: 8085 };

const LOADERS: Record<ServiceName, () => Promise<ServiceManifest>> = {
  video: async () => (await import('./video/index.js')).videoService,
  document: async () => (await import('./document/index.js')).documentService,
  ai: async () => (await import('./ai/index.js')).aiService,
  media: async () => (await import('./media/index.js')).mediaService,
  code: async () => (await import('./code/index.js')).codeService,
};

export function loadService(name: ServiceName): Promise<ServiceManifest> {
  return LOADERS[name]();
}
