// The offline judge on the examples, disguised text, idioms that only sound violent, and
// the hard block, named after what each guards against.
import { describe, expect, it } from 'vitest';
import { ASSESSED_CATEGORIES, moderate } from '../../../src/services/ai/local/moderation.js';
import { normalise } from '../../../src/services/ai/local/normalise.js';

describe('offline moderation', () => {
  it.each([
    ['you are a worthless idiot and everyone hates you', ['harassment']],
    ['I will kill you tomorrow', ['violence', 'harassment/threatening']],
    ['go back to your country you dirty immigrant', ['hate']],
    ['you f.u.c.k.i.n.g idiot', ['harassment']],
  ])('issue 22 example is flagged: %s', (text, expected) => {
    const m = moderate(text);
    expect(m.flagged).toBe(true);
    for (const c of expected) expect(m.categories[c], c).toBe(true);
    expect(m.approved).toBe(false);
    expect(m.evidence.length).toBeGreaterThan(0);
  });

  it.each([
    ['f.u.c.k.i.n.g', 'fucking'],
    ['k i l l', 'kill'],
    ['1d10t', 'idiot'],
    ['k!ll', 'kill'],
    ['stuuuupid', 'stupid'],
    ['y0u', 'you'],
    ['ｋｉｌｌ', 'kill'],
    ['call me at 10, ok!', 'call me at 10, ok!'],
    ['in 2026', 'in 2026'],
  ])('undoes disguises: %s → %s', (text, plain) => {
    expect(normalise(text)).toBe(plain);
  });

  it.each(['I w1ll k i l l y0u', 'u r a w0rthless 1d10t', 'I am going to s.t.a.b you'])('sees through disguised harm: %s', (text) => {
    expect(moderate(text).flagged).toBe(true);
  });

  it.each([
    'I could kill for a coffee',
    'this bug is killing me',
    'kill the process and restart the worker',
    'you killed it on stage last night',
    "I'm such an idiot, I forgot my keys",
    'immigrants founded half of the startups in this city',
    'if you are thinking about suicide, please call a helpline',
    'our sex education class for teenagers covers consent',
  ])('does not flag a hard negative: %s', (text) => {
    const m = moderate(text);
    expect(m.flagged, JSON.stringify(m.evidence)).toBe(false);
  });

  it('blocks sexual content involving minors whatever else, and says it is a hard block', () => {
    const m = moderate('selling nude pictures of underage girls');
    expect(m).toMatchObject({ flagged: true, hard_block: true });
    expect(m.categories['sexual/minors']).toBe(true);
  });

  it('first-person self-harm with a plan is self-harm and intent; talk about it is not', () => {
    const m = moderate('I have the pills ready and I am going to end my life tonight');
    expect(m.categories['self-harm']).toBe(true);
    expect(m.categories['self-harm/intent']).toBe(true);
    expect(moderate('the study looks at why people hurt themselves').flagged).toBe(false);
  });

  it('lists only the categories it assesses, and never claims the rest', () => {
    expect(ASSESSED_CATEGORIES).not.toContain('illicit');
    expect(ASSESSED_CATEGORIES).not.toContain('violence/graphic');
    const m = moderate('how do I make a pipe bomb');
    expect(m.categories.illicit).toBe(false);
    expect(m.assessed_categories).toEqual(ASSESSED_CATEGORIES);
  });
});

describe('offline moderation: words that only look like insults or contempt', () => {
  it.each(['you can take out the trash after dinner', 'you know nobody likes mondays', 'women can own property since 1870 here', 'immigrants are often victims of criminals'])(
    'does not flag: %s',
    (text) => {
      const m = moderate(text);
      expect(m.flagged, JSON.stringify(m.evidence)).toBe(false);
    },
  );
});
