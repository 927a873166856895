// A program sent as several files (`files: [{ name, content }]`, as Piston and Judge0 users send
// them): the entry point (the first file, or the one `main` names) and the files written beside it
// in the sandbox's /code. A name is a plain file name, so none can reach outside the run folder.
import { Type, invalidFields } from '../../kit/index.js';
import type { Language, SourceFile } from './languages.js';

/** The contract's bound on a program's source: `code`, or all of `files` together. */
export const MAX_CODE_CHARS = 50_000;
export const MAX_FILES = 20;
const MULTI_FILE: readonly Language[] = ['python', 'javascript', 'typescript'];
const PLAIN_NAME = /^[A-Za-z0-9_][A-Za-z0-9_.-]{0,99}$/;

export const SourceFiles = Type.Array(Type.Object({ name: Type.String({ minLength: 1, maxLength: 100 }), content: Type.String({ maxLength: MAX_CODE_CHARS }) }, { additionalProperties: false }), {
  minItems: 1,
  maxItems: MAX_FILES,
  description: `the program as files (at most ${MAX_FILES}, ${MAX_CODE_CHARS} characters together): the first, or the one \`main\` names, is run; the others sit beside it in /code`,
});

export interface ProgramSource {
  code: string;
  entry?: string;
  files?: SourceFile[];
}

/** Why a file name is refused, or null. */
function nameFault(name: string): string | null {
  if (name.includes('\0')) return 'contains a NUL byte';
  if (name.startsWith('/') || name.startsWith('\\') || /^[A-Za-z]:/.test(name)) return 'is an absolute path';
  if (name.includes('..')) return 'contains ".."';
  if (name.includes('/') || name.includes('\\')) return 'names a folder: the files sit side by side in one folder';
  if (name.startsWith('.')) return 'is hidden (starts with ".")';
  if (!PLAIN_NAME.test(name)) return 'may hold only letters, digits, "_", "-" and "." (100 at most)';
  return null;
}

function checkFiles(files: SourceFile[]): void {
  const seen = new Set<string>();
  const faults = files.flatMap((f, i) => {
    const fault = nameFault(f.name) ?? (seen.has(f.name) ? 'is given more than once' : null);
    seen.add(f.name);
    return fault === null ? [] : [{ field: `body/files/${i}/name`, message: `"${f.name.replaceAll('\0', '\\0')}" ${fault}` }];
  });
  if (faults.length > 0) throw invalidFields(faults);
  const total = files.reduce((n, f) => n + f.content.length, 0);
  if (total > MAX_CODE_CHARS) throw invalidFields([{ field: 'body/files', message: `hold ${total} characters together, more than the ${MAX_CODE_CHARS} a program may have` }]);
}

/** The program's entry and other files from `code`, or `files` and `main`; exactly one of code and files. */
export function programSource(body: { language: Language; code?: string; files?: SourceFile[]; main?: string }): ProgramSource {
  const { language, code, files, main } = body;
  if (files === undefined) {
    if (code === undefined) throw invalidFields([{ field: 'body/code', message: 'is required (or send the program as `files`)' }]);
    if (main !== undefined) throw invalidFields([{ field: 'body/main', message: 'names the entry among `files`; there are none' }]);
    return { code };
  }
  if (code !== undefined) throw invalidFields([{ field: 'body/code', message: 'and `files` are two ways to send the program; send one' }]);
  if (!MULTI_FILE.includes(language)) throw invalidFields([{ field: 'body/files', message: `are for ${MULTI_FILE.join(', ')}; send ${language} as \`code\`` }]);
  checkFiles(files);
  const entry = main === undefined ? files[0] : files.find((f) => f.name === main);
  if (entry === undefined) throw invalidFields([{ field: 'body/main', message: `"${main}" is not among the files: ${files.map((f) => f.name).join(', ')}` }]);
  return { code: entry.content, entry: entry.name, files: files.filter((f) => f !== entry) };
}
