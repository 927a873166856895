// Undoes the usual ways harmful text is disguised before patterns and the classifier read it:
// accents and look-alike forms (NFKD), zero-width characters, letters spelled out with dots or
// spaces ("f.u.c.k.i.n.g", "k i l l"), leetspeak inside words ("1d10t", "k!ll") and stretched
// letters ("stuuupid").

const LEET: Record<string, string> = { 0: 'o', 1: 'i', 3: 'e', 4: 'a', 5: 's', 7: 't', 8: 'b', '@': 'a', $: 's', '!': 'i', '|': 'l', '+': 't' };

// Four or more single characters joined by dots, dashes, stars or spaces: three would also join
// honest text ("u r a"), which the patterns read as words anyway.
const SPELLED_OUT = /(?<![\p{L}\p{N}])(?:[\p{L}\p{N}@$!*][ ._*-]{1,2}){3,}[\p{L}\p{N}@$!*](?![\p{L}\p{N}])/gu;
const SEPARATORS = /[ ._*-]/g;
const WORDISH = /[\p{L}\p{N}@$!|+]+/gu;

function unLeet(word: string): string {
  // A number stays a number ("2026", "10"); only a word with letters in it is decoded.
  if (!/\p{L}/u.test(word)) return word;
  // Trailing "!" is punctuation, not an "i".
  const bangs = /!*$/.exec(word)![0];
  return [...word.slice(0, word.length - bangs.length)].map((c) => LEET[c] ?? c).join('') + bangs;
}

export function normalise(text: string): string {
  return text
    .normalize('NFKD')
    .replace(/\p{M}/gu, '')
    .replace(/[\u200B-\u200D\u2060\uFEFF]/g, '')
    .toLowerCase()
    .replace(/[’‘`]/g, "'")
    .replace(SPELLED_OUT, (m) => m.replace(SEPARATORS, ''))
    .replace(WORDISH, unLeet)
    .replace(/(\p{L})\1{2,}/gu, '$1')
    .replace(/\s+/g, ' ')
    .trim();
}

/** Word tokens of normalised text (apostrophes dropped: "you're" → "youre"). */
export function words(normalised: string): string[] {
  return normalised.replace(/'/g, '').match(/[\p{L}\p{N}]+/gu) ?? [];
}
