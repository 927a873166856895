// Phrase patterns for harm that word lists miss, read on normalised text (normalise.ts): threats,
// insults aimed at a person, identity-based hate, self-harm in the first person, sexual content,
// and sexual content involving minors (a hard block). Each hit names its category and the phrase.

export type HarmCategory = 'violence' | 'harassment' | 'harassment/threatening' | 'hate' | 'self-harm' | 'self-harm/intent' | 'sexual' | 'sexual/minors';
export interface PatternHit { category: HarmCategory; phrase: string }

const any = (words: string[]) => words.join('|');

const HARM_VERBS = any(['kill', 'murder', 'stab', 'shoot', 'strangle', 'choke', 'hurt', 'beat', 'punch', 'slit', 'burn', 'drown', 'torture', 'lynch', 'bash', 'smash', 'break', 'cut', 'snap', 'hunt', 'butcher', 'rape', 'behead', 'gouge', 'run over', 'set fire to', 'set on fire']);
const TARGETS = any(['you', 'u', 'ya', 'him', 'her', 'them', 'your \\w+', 'his \\w+', 'their \\w+', 'my (?:neighbou?r|boss|wife|husband|teacher|ex)']);
const I_WILL = "(?:i|we)(?:'ll| ?will| ?shall|'m going to|'m gonna| am going to| am gonna| gonna| are going to|'re going to| want to| wanna|'d love to)";
const INSULTS = any([
  'idiot', 'moron', 'loser', 'worthless', 'pathetic', 'stupid', 'dumb', 'ugly', 'disgusting', 'useless', 'imbecile', 'freak', 'creep',
  'trash', 'garbage', 'scum', 'clown', 'fool', 'halfwit', 'twit', 'coward', 'parasite', 'failure', 'waste of (?:space|oxygen)', 'piece of (?:shit|trash|garbage)',
  'pig', 'cow', 'bitch', 'bastard', 'asshole', 'dickhead', 'prick', 'cunt', 'twat', 'jerk', 'dumbass', 'dipshit', 'slut', 'whore', 'hideous', 'nobody', 'joke', 'rat', 'snake', 'hack', 'slob',
]);
const YOU = "(?:you|u|ya|youre|you're|ur|you are|you r)";
// Between "you" and the insult only what builds an insult ("you are such a worthless…"), so that
// "you can take out the trash" stays a chore.
const INSULT_FILLER = any([
  'are', 're', 'r', 'a', 'an', 'such', 'so', 'the', 'most', 'absolute', 'absolutely', 'complete', 'completely', 'total', 'totally', 'utter', 'little', 'big', 'fat', 'sad',
  'lying', 'dumb', 'stupid', 'fucking', 'freaking', 'damn', 'bloody', 'worthless', 'pathetic', 'ugly', 'useless', 'brainless', 'ignorant', 'clueless', 'miserable', 'pitiful',
  'spineless', 'talentless', 'disgusting', 'just', 'really', 'nothing', 'but', 'piece', 'of', 'waste', 'an?',
]);
// Between a group and the contempt, a claim about them ("are", "should be", "bring"), not any words
// ("women can own property").
const CLAIM = any(['all', 'are', 'is', 'were', 'just', 'only', 'always', 'really', 'so', 'should', 'must', 'will', 'be', 'get', 'bring', 'breed', 'belong', 'deserve', 'need', 'to', 'nothing', 'but', 'like', 'a', 'the', 'every', 'one', 'of', 'them', 'potential']);
const GROUPS = any([
  'immigrants?', 'migrants?', 'refugees?', 'foreigners?', 'muslims?', 'islam', 'jews?', 'jewish people', 'blacks', 'black people', 'asians?', 'arabs?', 'mexicans?', 'latinos?',
  'gypsies', 'roma', 'gays?', 'lesbians?', 'bisexuals?', 'trans people', 'transgenders?', 'women', 'girls', 'hindus?', 'christians?', 'catholics?', 'africans?', 'chinese',
  'indians?', 'disabled people', 'autistic people', 'romanians?', 'polish (?:people|workers)', 'the homeless', 'invaders', 'those people', 'these people', 'you people',
]);
const DEROGATORY = any([
  'vermin', 'rats?', 'animals', 'parasites?', 'savages?', 'subhuman', 'filth', 'filthy', 'dirty', 'disease', 'cancer', 'invaders?', 'invasion', 'criminals?', 'terrorists?',
  'rapists?', 'thieves', 'primitive', 'abomination', 'perverts?', 'not (?:fully )?human', 'inferior', 'less intelligent', 'too (?:stupid|emotional)', 'belong in the kitchen',
  'property', 'breed like', 'mentally ill', 'burden', 'should be banned', 'out of our', 'keep (?:them|the \\w+) out', 'deport', 'bombers?', 'beggars', 'freaks', 'brainwashed', 'child abusers',
]);
const MINORS = any(['child', 'children', 'kid', 'kids', 'minor', 'minors', 'underage', 'under age', 'preteen', 'pre-teen', 'toddler', 'little (?:girl|boy)s?', 'schoolgirls?', 'schoolboys?', 'teens?', 'teenagers?', 'loli', 'shota', '(?:[1-9]|1[0-7]) ?(?:yo|y/o|year old|years old|yr old)']);
const SEXUAL = any(['sex', 'sexual', 'sexually', 'nude', 'nudes', 'naked', 'porn\\w*', 'explicit', 'erotic', 'molest\\w*', 'rape', 'fuck\\w*', 'blowjob', 'masturbat\\w*', 'horny', 'lewd', 'genitals?', 'undress\\w*', 'strip\\w*']);

const PATTERNS: { category: HarmCategory; pattern: RegExp }[] = [
  // Threats: the speaker will harm someone; "beat you at chess" is a game, not a threat.
  { category: 'violence', pattern: new RegExp(`\\b${I_WILL}\\s+(?:\\w+\\s+){0,2}?(?:${HARM_VERBS})\\s+(?:${TARGETS})\\b(?!\\s+(?:at|in)\\s)`) },
  { category: 'violence', pattern: /\byou(?:'re| are| will| ?'ll) (?:dead|going to die|gonna die|die|bleed|suffer|pay for this with your life)\b|\byou won'?t live\b/ },
  { category: 'violence', pattern: /\bi know where you live\b|\b(?:bullet|knife) in (?:your|his|her|that \w+'?s?) (?:head|back|skull|chest)\b|\bput a knife in\b/ },
  { category: 'violence', pattern: /\b(?:shoot(?:ing)? up|bring(?:ing)? a (?:gun|rifle|bomb) to|blow(?:ing)? up) (?:the|a|my|our|this|that) (?:school|mall|office|church|mosque|synagogue|building|class)\b/ },
  { category: 'violence', pattern: /\b(?:hope|wish) (?:you|he|she|they|someone \w+s? (?:you|him|her)) (?:die|dies|get (?:killed|shot|stabbed|hit by))/ },
  { category: 'violence', pattern: /\b(?:you|he|she|they|him|her|somebody|someone) (?:should|deserves? to|needs? to) (?:be )?(?:shot|killed|beaten|hanged|lynched|stabbed|die|shoot (?:him|her|them))\b/ },
  { category: 'violence', pattern: /\b(?:break|smash|kick|bash) (?:your|his|her) (?:legs?|face|head|skull|teeth)\b/ },
  // Insults aimed at a person: a second person and an insult in one breath.
  { category: 'harassment', pattern: new RegExp(`\\b${YOU}\\b(?:\\s+(?:${INSULT_FILLER})){0,4}?\\s+(?:${INSULTS})\\b`) },
  { category: 'harassment', pattern: new RegExp(`\\b(?:${INSULTS}),? ${YOU}\\b(?!\\s+(?:are|were|did|have|can|should|look|know|think)\\b)`) },
  { category: 'harassment', pattern: /\b(?:nobody|no one|everyone|everybody) (?:likes|loves|wants|cares about|hates|laughs at) you\b|\bkill yourself\b|\bkys\b/ },
  // Contempt for people for who they are.
  { category: 'hate', pattern: new RegExp(`\\b(?:${GROUPS})\\b(?:\\s+(?:${CLAIM})){0,4}?\\s+(?:${DEROGATORY})\\b`) },
  { category: 'hate', pattern: new RegExp(`\\b(?:${DEROGATORY})\\s+(?:\\w+\\s+){0,2}?(?:${GROUPS})\\b`) },
  { category: 'hate', pattern: /\bgo back to (?:africa|asia|mexico|china|india|where (?:you|they) came from)\b|\bsend them (?:all )?back\b|\bfor white people only\b|\bno place for (?:gays|jews|muslims|blacks|immigrants)\b/ },
  // The writer's own harm: first person, or a wish to be dead.
  { category: 'self-harm', pattern: /\b(?:i|im|i'm|i am|i've|ive|i have been)\b[^.!?]{0,30}\b(?:kill|hurt|cut|hang|burn|starve|harm|punish|hit)(?:ing)? (?:myself|my self)\b/ },
  { category: 'self-harm', pattern: /\b(?:end|ending|take|taking) my (?:own )?life\b|\bbetter off dead\b|\bi (?:wish|want) (?:i was|i were|to be) dead\b|\bi (?:want|wanna) to die\b|\bslit my wrists\b|\bi(?:'m| am) done with life\b/ },
  { category: 'self-harm', pattern: /\b(?:i|i'm|im|i am|i've)\b[^.!?]{0,25}\b(?:suicide|suicidal|overdose|jump off the bridge|end it all)\b|\bi (?:don't|do not) (?:want to|deserve to) (?:live|be alive|exist)\b/ },
  { category: 'sexual', pattern: /\b(?:have|had|having) sex\b|\b(?:send|show) (?:me )?(?:your )?(?:nudes|tits|boobs|dick|cock|pussy)\b|\b(?:masturbat\w*|orgasm\w*|blowjob|horny|porn\w*|sexting|dick pic|cam girls?|threesome|sex cam|sex chat)\b/ },
  { category: 'sexual', pattern: /\bnaked (?:body|against|for me|on camera|photos?|pics?)\b|\b(?:nude) (?:photos?|pics?|videos?)\b|\bsee you naked\b/ },
];

// Sexual content with a minor is blocked whatever else the text says. Sex education and health
// are named first so they do not trip it.
const HARMLESS_SEX_TERMS = /\bsex(?:ual)? (?:education|ed|health)\b|\bsex of the\b/g;
const MINOR_NEAR_SEXUAL = new RegExp(`\\b(?:${MINORS})\\b[^.!?]{0,60}\\b(?:${SEXUAL})\\b|\\b(?:${SEXUAL})\\b[^.!?]{0,60}\\b(?:${MINORS})\\b`);

const FIRST_PERSON_INTENT = /\b(?:want|wanna|going to|gonna|will|'ll|plan|planning|decided|ready)\b/;

export function findHarm(normalised: string): PatternHit[] {
  const hits: PatternHit[] = [];
  for (const { category, pattern } of PATTERNS) {
    const m = pattern.exec(normalised);
    if (m !== null) hits.push({ category, phrase: m[0] });
  }
  const minors = MINOR_NEAR_SEXUAL.exec(normalised.replace(HARMLESS_SEX_TERMS, ' '));
  if (minors !== null) hits.push({ category: 'sexual/minors', phrase: minors[0] });
  // A threat at someone is also harassment that threatens (OpenAI's category for it).
  const threat = hits.find((h) => h.category === 'violence' && /\b(?:you|u|ya|your)\b/.test(h.phrase));
  if (threat !== undefined) hits.push({ category: 'harassment/threatening', phrase: threat.phrase });
  const selfHarm = hits.find((h) => h.category === 'self-harm' && FIRST_PERSON_INTENT.test(normalised));
  if (selfHarm !== undefined) hits.push({ category: 'self-harm/intent', phrase: selfHarm.phrase });
  return hits;
}
