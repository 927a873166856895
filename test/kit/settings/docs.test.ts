import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { defaultText, readSettingsBlock, renderSettingsTable, replaceSettingsBlock } from '../../../src/kit/settings/docs.js';
import { SETTINGS } from '../../../src/kit/settings/index.js';
import { setting } from '../../../src/kit/settings/setting.js';

const readme = readFileSync(new URL('../../../README.md', import.meta.url), 'utf8');

describe('settings docs', () => {
  it('README.md holds exactly the tables the definitions render', () => {
    expect(readSettingsBlock(readme), "README.md's settings tables are out of date: run `npm run docs:settings`").toBe(renderSettingsTable());
  });

  it('renders one row per setting, under its area', () => {
    const rendered = renderSettingsTable();
    for (const s of SETTINGS) expect(rendered.split(`| \`${s.env}\` | \`${s.key}\` |`), s.env).toHaveLength(2);
    expect(rendered).toMatch(
      /### Code executor settings\n\n\| variable \| file key \| default \| meaning \|\n\|---\|---\|---\|---\|\n\| `PITCHEY_CODE_CONCURRENCY` \| `codeConcurrency` \| the number of cores \|/,
    );
  });

  it("shows a plain fallback as it is, and escapes the table's pipes", () => {
    const def = setting({ key: 'fooPorts', env: 'PITCHEY_FOO_PORTS', area: 'core', doc: '`a|b`', fallback: (): number[] => [1, 2], parse: () => [3] });
    expect(defaultText(def)).toBe('1,2');
    expect(renderSettingsTable([def])).toContain('| `PITCHEY_FOO_PORTS` | `fooPorts` | 1,2 | `a\\|b` |');
  });

  it('refuses a fallback that is not a plain value unless the definition says how to show it', () => {
    const unset = setting({ key: 'foo', env: 'PITCHEY_FOO', area: 'core', doc: 'd', fallback: () => null, parse: String });
    expect(() => defaultText(unset)).toThrow('PITCHEY_FOO: its fallback is not a plain value; give the definition a `shown` text');
    expect(() => defaultText({ ...unset, fallback: () => ({ a: 1 }) })).toThrow('PITCHEY_FOO');
    expect(defaultText({ ...unset, shown: 'unset' })).toBe('unset');
  });

  it('rewrites only what lies between the markers, and needs both', () => {
    const page = '# T\n\n<!-- settings:start -->\nold\n<!-- settings:end -->\n\n## Next\n';
    const next = replaceSettingsBlock(page, 'new');
    expect(next).toBe('# T\n\n<!-- settings:start -->\nnew\n\n<!-- settings:end -->\n\n## Next\n');
    expect(readSettingsBlock(next)).toBe('new');
    expect(() => replaceSettingsBlock('# T\n<!-- settings:start -->\n', 'new')).toThrow('needs the markers');
  });
});
