// Document settings: user templates, page limits, OCR.
import { integer, path } from './parsers.js';
import { setting } from './setting.js';

export const DOCUMENT_SETTINGS = [
  setting({
    key: 'docTemplatesDir',
    env: 'PITCHEY_DOC_TEMPLATES_DIR',
    area: 'document',
    doc: 'folder of user PDF templates (`<name>.json`) for the document processor',
    shown: '`<data>/services/document/templates`',
    fallback: () => null,
    parse: path,
  }),
  setting({
    key: 'docMaxPages',
    env: 'PITCHEY_DOC_MAX_PAGES',
    area: 'document',
    doc: 'most pages a PDF given to the document processor may have (more is a 422)',
    fallback: () => 1_000,
    parse: integer(1, 100_000),
  }),
  setting({ key: 'ocrMaxPages', env: 'PITCHEY_OCR_MAX_PAGES', area: 'document', doc: 'most pages one OCR request may recognise', fallback: () => 50, parse: integer(1, 10_000) }),
  setting({ key: 'ocrTimeoutMs', env: 'PITCHEY_OCR_TIMEOUT_MS', area: 'document', doc: 'time limit of one OCR run (request or job)', fallback: () => 600_000, parse: integer(1_000, 86_400_000) }),
];
