// Every service by name: `pitchey serve <name>` and `pitchey up` start them from here. A service's
// code is imported only when it is served, so `pitchey serve video` does not load the AI models,
// the PDF fonts or the TypeScript compiler (startup time, heap and every GC pay for what is loaded).
import type { ServiceManifest, ServiceName } from '../kit/index.js';

export { SERVICE_HOME_PORTS } from '../kit/index.js';

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
