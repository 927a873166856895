// The gateway's /docs in a real headless Chromium: Swagger UI loads each service's document
// through the gateway (its top bar's list), renders its operations with no load error, and offers
// the gateway prefix as the server "Try it out" calls.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SERVICE_NAMES } from '../../src/kit/index.js';
import { makeTempDir } from '../helpers.js';
import { renderedDom } from '../support/chromium.js';
import { startFiveServices, type FiveServices } from './five-services.js';

/** One path each document must show: proof that it is this service's document that rendered. */
const SHOWN: Record<string, string> = { video: '/analyze', document: '/extract-text', ai: '/models', media: '/hls-transcode', code: '/execute' };

describe("the gateway's /docs in Chromium", () => {
  const tmp = makeTempDir();
  let platform: FiveServices;

  beforeAll(async () => {
    platform = await startFiveServices(tmp.dir);
  }, 60_000);
  afterAll(async () => {
    await platform.close();
    tmp.remove();
  });

  it.each([...SERVICE_NAMES])("renders the %s service's document, with the gateway prefix as its server", async (name) => {
    const dom = await renderedDom(`${platform.base}/docs/?urls.primaryName=${encodeURIComponent(`${name} service`)}`);
    expect(dom).not.toMatch(/Failed to load API definition|Fetch error|Errors<\/h4>/);
    expect(dom).toContain(`<option value="/api/${name}">`);
    expect(dom).toContain(`data-path="${SHOWN[name]}"`);
  });

  it("renders the gateway's own admin API first", async () => {
    const dom = await renderedDom(`${platform.base}/docs/`);
    expect(dom).not.toMatch(/Failed to load API definition|Fetch error/);
    expect(dom).toContain('data-path="/_pitchey/admin/pools"');
  });
});
