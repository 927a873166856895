// The gateway's /docs in a real headless Chromium: Swagger UI shows the merged public API first,
// loads each service's document through the gateway (its top bar's list), renders its operations
// with no load error, and offers
// the gateway prefix as the server "Try it out" calls; and "Try it out" on an upload route, driven
// as a person would (authorize, choose a file, execute), gets the service's 200.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { PDFDocument, StandardFonts } from 'pdf-lib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SERVICE_NAMES } from '../../src/kit/index.js';
import { TEST_KEY, makeTempDir } from '../helpers.js';
import { openPage, renderedDom } from '../support/chromium.js';
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

  it('renders the whole public API first: every service at its gateway path', async () => {
    const dom = await renderedDom(`${platform.base}/docs/`);
    expect(dom).not.toMatch(/Failed to load API definition|Fetch error|Errors<\/h4>/);
    for (const name of SERVICE_NAMES) expect(dom).toContain(`data-path="/api/${name}${SHOWN[name]}"`);
    expect(dom).not.toContain('data-path="/_pitchey/admin/pools"');
  });

  it("renders the gateway's admin API by its name", async () => {
    const dom = await renderedDom(`${platform.base}/docs/?urls.primaryName=${encodeURIComponent('Pitchey gateway (admin API)')}`);
    expect(dom).not.toMatch(/Failed to load API definition|Fetch error/);
    expect(dom).toContain('data-path="/_pitchey/admin/pools"');
  });

  it('"Try it out" uploads a file through the gateway and shows the 200', async () => {
    const pdf = await PDFDocument.create();
    const font = await pdf.embedFont(StandardFonts.Helvetica);
    pdf.addPage().drawText('Pitchey try it out', { x: 50, y: 700, size: 24, font });
    const file = join(tmp.dir, 'try.pdf');
    writeFileSync(file, await pdf.save());
    const page = await openPage(`${platform.base}/docs/?urls.primaryName=${encodeURIComponent('document service')}`);
    try {
      const op = await page.waitFor<string>(`document.querySelector('.opblock-summary-path[data-path="/extract-text"]')?.closest('.opblock')?.id`);
      await page.evaluate(`document.querySelector('.auth-wrapper button.authorize').click()`);
      await page.waitFor(`[...document.querySelectorAll('.auth-container')].some((b) => b.textContent.includes('X-API-Key'))`);
      await page.evaluate(`(() => {
        const box = [...document.querySelectorAll('.auth-container')].find((b) => b.textContent.includes('X-API-Key'));
        const input = box.querySelector('input');
        Object.getOwnPropertyDescriptor(HTMLInputElement.prototype, 'value').set.call(input, ${JSON.stringify(TEST_KEY)});
        input.dispatchEvent(new Event('input', { bubbles: true }));
        box.querySelector('button.authorize').click();
      })()`);
      await page.waitFor(`document.querySelector('.modal-ux .close-modal')`);
      await page.evaluate(`document.querySelector('.modal-ux .close-modal').click()`);
      await page.waitFor(`!document.querySelector('.modal-ux')`);
      await page.evaluate(`(document.querySelector('#${op} .opblock-summary-control') ?? document.querySelector('#${op} .opblock-summary')).click()`);
      await page.waitFor(`document.querySelector('#${op} .try-out__btn')`);
      await page.evaluate(`document.querySelector('#${op} .try-out__btn').click()`);
      await page.waitFor(`document.querySelector('#${op} input[type=file]')`);
      await page.setFiles(`#${op} input[type=file]`, [file]);
      await page.evaluate(`document.querySelector('#${op} .execute').click()`);
      const status = await page.waitFor<string>(`document.querySelector('#${op} .live-responses-table tr.response .response-col_status')?.textContent.trim()`);
      expect(status).toBe('200');
      expect(await page.evaluate<string>(`document.querySelector('#${op} .request-url pre').textContent`)).toBe(`${platform.base}/api/document/extract-text`);
      expect(await page.evaluate<string>(`document.querySelector('#${op} .live-responses-table tr.response .response-col_description').textContent`)).toContain('Pitchey try it out');
    } finally {
      await page.close();
    }
  }, 120_000);
});
