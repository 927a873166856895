// The labelled set the offline harm classifier is trained on at start (and measured on: every
// fifth example of each label is held out by the test that reports precision and recall).
//
// How it was labelled: written by hand for this service (issue 22) by one engineer, each line
// given the single OpenAI moderation category it most plainly belongs to — `violence` (threats or
// wishes of physical harm to someone), `harassment` (insults or demeaning talk aimed at a person),
// `hate` (contempt for people for who they are: origin, religion, race, gender, sexuality,
// disability), `self-harm` (the writer's own wish or plan to hurt or kill themselves), `sexual`
// (explicit adult sexual content) — or `benign`. Benign deliberately holds hard negatives: idioms
// ("I could kill for a coffee"), bugs and games ("kill the process", "headshot"), news and history
// reporting harm, self-deprecation, disagreement without insults, support for someone at risk,
// neutral sentences about groups of people and plain second-person requests (added after the
// classifier was seen to flag "immigrants are often victims of criminals"). Lines that two reasonable readers could label differently were left out. Sexual content
// involving minors is never an example here: it is a hard block by phrase patterns only.
export type HarmLabel = 'violence' | 'harassment' | 'hate' | 'self-harm' | 'sexual' | 'benign';

const lines = (label: HarmLabel, text: string): [HarmLabel, string][] =>
  text
    .trim()
    .split('\n')
    .map((l) => [label, l.trim()] as [HarmLabel, string])
    .filter(([, l]) => l !== '');

export const HARM_EXAMPLES: [HarmLabel, string][] = [
  ...lines(
    'violence',
    `
    I will kill you tomorrow
    I'm going to kill you
    I am going to stab you when you leave work
    you're dead, I swear I will find you
    I know where you live and I'm coming for you
    I will beat you until you can't stand
    watch your back, I'm going to hurt you
    I'll break every bone in your body
    one more word and I'll punch your teeth out
    I'm going to shoot you and your family
    we will burn your house down with you inside
    I will slit your throat
    keep talking and you'll end up in the hospital
    I'm going to put a bullet in your head
    meet me outside, I'm going to smash your face in
    I hope someone stabs you to death
    somebody should shoot him
    I want to strangle you with my bare hands
    I will hunt you down and make you bleed
    I'll kill your dog and then you
    you won't live to see next week
    I am bringing a gun to school tomorrow
    I'm going to hurt the people at that office
    I'll run you over with my car
    I will choke you until you stop breathing
    she deserves to be beaten up
    I'm going to blow up the building
    next time I see you I'll cut you
    I will make you suffer before you die
    I want to see you bleed
    I'll snap your neck
    let's jump him after school and beat him senseless
    if you report me I will kill you
    I'm going to murder my neighbour tonight
    I will torture you slowly
    you should be shot
    I'm going to set you on fire
    I'll drown you in the lake
    give me the money or I'll stab you
    I will come to your house with a knife
    I'm going to kick your head in
    someone needs to put a knife in that judge
    I will hurt your kids
    you will pay for this with your life
    I'm going to bash your skull in
    I'll beat you to a pulp
    I swear I'll kill him if he comes back
    he is going to get a bullet
    I'm gonna shoot up the mall
    I hope you get hit by a bus and die slowly
    we are going to lynch you
    I will gouge your eyes out
    I'll make sure you never walk again
    expect a visit, we'll break your legs
    I want to kill my boss and I have a plan
  `,
  ),
  ...lines(
    'harassment',
    `
    you are a worthless idiot and everyone hates you
    you're so stupid it hurts
    you are a pathetic loser
    shut up you moron
    nobody likes you, you ugly freak
    you are disgusting and you should be ashamed
    you're a useless piece of garbage
    you absolute idiot
    you dumb clown, nobody asked you
    you are the most annoying person alive
    go away you creep
    you're a fat pig
    everyone laughs at you behind your back, loser
    you are an embarrassment to your family
    you brainless twit
    you're too stupid to breathe
    you are a failure at everything
    look at your face, you're hideous
    you're a sad little nobody
    you're so dumb I feel sorry for your parents
    nobody will ever love you, you're pathetic
    you smell like trash and look like it too
    you are a waste of space
    you ignorant fool
    you're a spineless coward
    what a pathetic excuse for a human you are
    you're a joke and everyone knows it
    you're a lying snake
    shut your mouth you idiot
    you stupid cow
    you're the dumbest person I've ever met
    you are worthless
    you're an ugly loser
    nobody cares what you think, idiot
    you're a disgusting slob
    you freak, stay away from us
    you're such a moron, delete your account
    kill yourself, nobody wants you here
    you're a talentless hack
    you are a parasite
    you should be ashamed of yourself, you worthless creep
    your opinion is trash and so are you
    you're a clueless imbecile
    go cry somewhere else you baby
    you're a failure and you always will be
    you're so ugly it's painful
    you are a complete waste of oxygen
    everybody thinks you're a loser
    stop talking, you halfwit
    you are a dumb piece of trash
    you're a stupid fat idiot
    I hope you lose everything, you miserable rat
    you are an idiot and a liar
    you're a pitiful little man
    you're pathetic and everyone can see it
  `,
  ),
  ...lines(
    'hate',
    `
    go back to your country you dirty immigrant
    immigrants are ruining this country
    all muslims are terrorists
    jews control the banks and the media
    black people are naturally criminals
    women are too stupid to lead
    gay people are an abomination
    those people breed like rats
    refugees are parasites living off our taxes
    we should keep foreigners out, they are vermin
    mexicans are all rapists and drug dealers
    asians are dirty and eat anything
    trans people are mentally ill freaks
    disabled people are a burden on society
    arabs are savages
    gypsies are thieves, every one of them
    muslims should be banned from our country
    immigrants are animals
    go back to africa
    women belong in the kitchen, not in the office
    gays should not be allowed near children
    christians are brainwashed idiots
    chinese people brought the virus on purpose
    indians smell and should stay in their own country
    blacks are less intelligent than whites
    that religion is a cancer and its followers are rats
    we need to rid this town of foreigners
    this country is for white people only
    get these dirty migrants out of our streets
    lesbians are disgusting
    old people are useless and should just die off
    autistic people are subhuman
    hindus are filthy
    immigrants are an invasion and need to be stopped
    the jews are behind every war
    women are property
    send them all back where they came from
    latinos are lazy and steal our jobs
    islam is a disease
    all refugees are criminals
    people like them are not fully human
    deport every single one of those invaders
    those foreigners are dirty and dangerous
    you people are all the same, dirty immigrants
    no place for gays in a decent society
    girls are too emotional to be engineers
    africans are primitive
    every muslim is a potential bomber
    the homeless are vermin that should be cleared away
    catholics are all child abusers
    polish workers are filth
    immigrants bring disease and crime
    keep the foreigners out of our schools
    bisexuals are greedy perverts
    romanians are all beggars and thieves
  `,
  ),
  ...lines(
    'self-harm',
    `
    I want to kill myself
    I'm going to end my life tonight
    I don't want to live anymore
    I've been cutting myself again
    I wish I was dead
    I'm thinking about suicide
    I have the pills ready and I'm going to take them all
    nobody would miss me if I died
    I want to hurt myself
    I'm planning to jump off the bridge
    I can't go on, I'm going to end it
    every night I think about killing myself
    I deserve to die
    I wrote my goodbye letter
    I burned myself with a lighter to feel something
    there's no point in living
    I want to disappear forever and never wake up
    I'm going to overdose
    I keep hurting myself and I can't stop
    tonight is the night I end it all
    I just want the pain to stop, I want to die
    I'm better off dead
    I bought a rope
    I starve myself as punishment
    I'm going to hang myself
    life isn't worth living anymore
    I've decided to kill myself this weekend
    I scratch my arms until they bleed
    I hate myself so much I want to die
    I took a whole bottle of pills
    I want to slit my wrists
    how many pills does it take to die
    I am going to step in front of a train
    my family would be better without me, I'm ending it
    I've been hitting myself when I'm angry
    suicide is the only way out for me
    I can't take it anymore, goodbye everyone
    I want to stop existing
    I'm going to drive my car off the cliff
    I have thoughts of hurting myself every day
    I cut deeper this time
    I'm done with life
    I'll never be happy, I just want to die
    I keep a razor in my drawer for when it gets bad
    I want to end it all right now
    I'm going to kill myself and no one can stop me
    I don't deserve to be alive
    I punish myself by burning my skin
    dying would be a relief
    I have a plan to end my life
  `,
  ),
  ...lines(
    'sexual',
    `
    I want to have sex with you tonight
    send me nudes
    she took off her clothes and we had sex
    I'm so horny right now
    let's have a threesome
    I want to touch you all over your naked body
    show me your tits
    he pulled down his pants and I sucked his dick
    describe your favourite sex position in detail
    I want to lick every inch of your body
    we fucked all night
    send me a video of you masturbating
    her naked body on the bed made me hard
    I want you to moan my name while I'm inside you
    watch my live sex cam
    hot singles want to sleep with you tonight
    get on your knees and open your mouth
    I came all over her
    rate my dick pic
    strip for me on camera
    I love it when you talk dirty in bed
    take your panties off for me
    free porn videos here
    I want to feel you naked against me
    sexting with strangers gets me off
    she gave him a blowjob in the car
    let me see you naked
    I'm touching myself thinking about you
    erotic massage with a happy ending
    sex toys make me wet
    bend over, I want you from behind
    nude photos of my ex
    we made love until the sun came up, sweaty and naked
    describe what you'd do to me in bed
    I want a one night stand, no strings
    cam girls will strip for tips
    her breasts bounced as she rode him
    he stroked his cock slowly
    I dream about having sex with my coworker
    orgasm tips for tonight
    sex chat now, explicit only
    hook up with horny milfs near you
    show me your body, I want to see everything
    he undressed her and kissed her breasts
    dirty pictures for you, unlock for five dollars
  `,
  ),
  ...lines(
    'benign',
    `
    I could kill for a coffee right now
    this bug is killing me
    kill the process and restart the server
    that comedian absolutely killed it last night
    you're killing it with these designs
    I'm dying to see the new movie
    my feet are killing me after that hike
    the git command will kill all child processes
    this joke is killing me, I can't stop laughing
    shoot me an email when you're free
    let's shoot the scene again from the left
    I got a headshot in the last round
    the character dies at the end of the book
    the boxer knocked out his opponent in the third round
    the police arrested a man for assault downtown
    the war killed millions of people
    the documentary covers the history of the genocide
    in the game you have to kill the dragon
    my phone battery is dead
    I'm dead tired after work
    break a leg at your audition!
    she nailed the presentation
    we need to execute the plan by Friday
    our team got destroyed in the final, what a game
    I'm going to kill this exam tomorrow
    the recipe says to beat the eggs
    you look stunning today
    thank you so much for your help
    you are brilliant, thanks for the fix
    I think you are wrong about this, here's why
    I disagree with your proposal
    your code has a bug on line 12
    I'm such an idiot, I forgot my keys again
    I feel stupid for missing the deadline
    can you review my pull request?
    what time is the meeting tomorrow?
    the movie was terrible, worst plot ever
    this restaurant is awful, the soup was cold
    I hate mondays
    I hate this weather
    immigrants make up a large part of the workforce
    the report studies hate speech online
    muslims celebrate eid at the end of ramadan
    my grandparents immigrated from italy in 1950
    the jewish museum opens at nine
    gay marriage became legal in many countries
    women's football is growing fast
    the refugee camp needs donations of blankets
    black history month starts in february
    learn about the history of immigration in america
    if you are thinking about suicide, please call a helpline
    my friend said she wants to hurt herself, how can I help?
    the article discusses self-harm prevention in schools
    suicide rates fell last year according to the study
    I'm worried about my brother, he seems depressed
    the knife is sharp, be careful when cutting onions
    cut the paper along the dotted line
    the doctor will cut the cast off next week
    I'm going to crash if I don't sleep soon
    the stock market crashed yesterday
    that song is fire
    the server blew up after the deploy
    let's blow up some balloons for the party
    my brother is a pain in the neck
    he's a nice guy but he talks a lot
    you are my best friend
    go back to your desk, the meeting is over
    go back to your country and enjoy your holiday with family
    I will call you tomorrow
    I will see you tomorrow at the station
    I'm going to beat you at chess next time
    I'm going to destroy you at mario kart
    our sex education class covers consent
    the biology lesson covered reproduction
    the sex of the kitten is female
    she is writing a thesis on sexuality in victorian novels
    breast cancer screening saves lives
    the naked eye cannot see the planet
    the baby needs a bath before bed
    my kids love the playground
    the children's choir sang beautifully
    this movie is rated for adults only because of violence
    the dog is a killer at fetch
    the weather is brutal this week
    what a killer deal on these shoes
    that exam was murder
    I nearly died laughing
    we slaughtered them in the debate, figuratively
    the actor was shot in the film's final scene
    gun safety class starts on monday
    the hunter shot a deer in the forest
    police shot the suspect after a standoff, the news said
    I'm hungry enough to eat a horse
    stop being so hard on yourself, you did great
    don't be an idiot and forget your umbrella, ha
    you silly goose, you left your bag here
    I love you to death
    you crack me up
    that's sick, dude, awesome trick
    the pitch deck needs a stronger opening
    please send the invoice by friday
    the new feature ships next week
    thanks for the feedback on the script
    our film festival submission was accepted
    the video render failed again
    can we move the call to 3pm?
    the budget for the shoot is approved
    the director wants another take
    the script has a violent scene in act two
    the villain threatens the hero in chapter three
    he said 'I will kill you' in the play, and the audience gasped
    quoting the movie: you're gonna need a bigger boat
    my cat attacks my feet every morning
    I'm so angry at myself for that mistake
    you are worth so much more than you think
    everyone hates traffic jams
    the kids are driving me crazy today
    the neighbours' party was loud last night
    I feel hopeless about the deadline, but we'll manage
    I want to quit this job and travel the world
    I'm going to end the meeting early today
    we killed the old feature flag
    the patch kills the memory leak
    the chef butchered the chicken for the stew
    religion is an interesting subject to study
    foreigners need a visa to enter the country
    the immigration office is closed on sunday
    many immigrants work in hospitals and care homes
    refugees often wait years for a decision on asylum
    muslims and christians share many holy sites
    jewish families gathered for the holiday dinner
    black artists shaped jazz and hip hop
    women were given the vote in 1918
    girls outnumber boys in the engineering class this year
    gay and lesbian couples can adopt in many countries
    trans people face long waits for health care
    disabled people need step-free access to stations
    asian restaurants are the most popular in town
    mexican food is my favourite
    arab scholars preserved greek science
    chinese new year falls in february this time
    indian cinema produces more films than hollywood
    the survey asked foreigners about their first year here
    migrants are often exploited by criminals and smugglers
    the homeless shelter needs volunteers this winter
    you know the office closes early on friday
    you can leave your coat by the door
    you should try the new cafe downstairs
    you are welcome to join the call
    you need to restart the app after the update
    nobody likes waiting in long queues
    everyone laughs at that scene in the film
    you made a mistake in the budget, please fix it
    the old system is garbage, let's replace it
    that plan is stupid, we need a better one
  `,
  ),
];
