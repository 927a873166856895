// Language identification (franc-min: the 82 most spoken languages, trigram profiles bundled).
import { franc } from 'franc-min';

export const LANGUAGE_MODEL = { name: 'franc-min', package: 'franc-min', tasks: ['language'] };

/** ISO 639-3 code, or `und` when the text is too short or unclear. */
export function detectLanguage(text: string): string {
  return franc(text, { minLength: 10 });
}
