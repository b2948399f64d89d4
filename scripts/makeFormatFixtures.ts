/**
 * `npx tsx scripts/makeFormatFixtures.ts`: writes data/fixtures/, small FORMAT FIXTURES
 * for the DPO paper's TL;DR summarization and Anthropic HH dialogue tasks: synthetic
 * text made here from a few word lists with a fixed seed, in the published files'
 * layouts, so that the tldr and hh_rlhf sources, the preferences stage's
 * summarize_from_feedback and hh_rlhf formats and the *-tiny pipelines run offline; and
 * news articles in the CNN/DailyMail layout for the cnn_dailymail source.
 * Not real data, and nothing measured on them is a result. The same code writes the
 * same bytes.
 *
 *   tldr-sft.jsonl             {id, subreddit, title, post, summary, split}  (OpenAI tldr-filtered layout)
 *   tldr-sft-carper.jsonl      {prompt, label}                               (CarperAI/openai_summarize_tldr layout)
 *   tldr-comparisons.jsonl     {info: {id, post, title, subreddit}, summaries: [{text, policy, note}, x2], choice, worker, batch, split}
 *   hh-rlhf.jsonl              {chosen, rejected}, one to three turns        (Anthropic HH-RLHF layout)
 *   hh-rlhf-test.jsonl         the same, held out
 *   cnn-dailymail.jsonl        {id, article, highlights}                     (CNN/DailyMail layout; the out-of-distribution set of tldr-tiny)
 *   tldr-human-study.jsonl     {prompt, response_a, response_b, humans, group}  (evaluate's human_labels: made-up raters, the paper's Table 2 in form only)
 *   cnn-dailymail-hf.jsonl     {article, highlights, id, split}               (Hugging Face cnn_dailymail 3.0.0 layout with its splits; the cnn_dailymail source's tests)
 *   cnn-dailymail-hf.csv       {id, article, highlights}                      (the same rows' first 20 as a CSV export)
 */
import { createHash } from 'node:crypto';
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Random } from '../src/core/random.ts';
import { TLDR_TEMPLATE, fillTemplate } from '../src/data/templates.ts';

const out = join(dirname(fileURLToPath(import.meta.url)), '..', 'data', 'fixtures');
const random = new Random(16);
const pick = <T>(items: readonly T[]): T => items[random.int(items.length)];

const topics = [
  { subreddit: 'relationships', thing: 'my roommate', problem: 'never washes the dishes', wish: 'split the chores fairly' },
  { subreddit: 'personalfinance', thing: 'my savings', problem: 'keep shrinking every month', wish: 'stick to a budget' },
  { subreddit: 'cooking', thing: 'my bread', problem: 'comes out flat every time', wish: 'bake a loaf that rises' },
  { subreddit: 'fitness', thing: 'my running', problem: 'stopped improving this spring', wish: 'run a faster mile' },
  { subreddit: 'gardening', thing: 'my tomatoes', problem: 'have yellow leaves', wish: 'grow healthy plants' },
  { subreddit: 'cats', thing: 'my cat', problem: 'wakes me up at four every night', wish: 'sleep through the night' },
  { subreddit: 'jobs', thing: 'my manager', problem: 'moved my deadline twice', wish: 'plan my week calmly' },
  { subreddit: 'travel', thing: 'my trip', problem: 'costs more than I planned', wish: 'travel on a small budget' },
] as const;
const ages = ['19', '23', '27', '31', '35', '42'];
const feelings = ['frustrated', 'worried', 'tired', 'confused', 'stuck'];
const fillers = ['It has been like this for weeks.', 'I tried talking about it once.', 'Friends say it is normal.', 'I do not want to make it worse.', 'Any advice helps.'];

type Topic = (typeof topics)[number];

function post(t: Topic): { subreddit: string; title: string; post: string; topic: Topic; feeling: string } {
  const feeling = pick(feelings);
  const extra = random.shuffle(fillers).slice(0, 1 + random.int(3)).join(' ');
  return {
    subreddit: t.subreddit,
    title: `${t.thing[0].toUpperCase()}${t.thing.slice(1)} ${t.problem}, what should I do?`,
    post: `I am ${pick(ages)} and ${t.thing} ${t.problem}. I feel ${feeling} about it. ${extra} I just want to ${t.wish}.`,
    topic: t,
    feeling,
  };
}

/** A good summary names the thing, the problem and the wish; a poor one does not. */
const goodSummary = (p: ReturnType<typeof post>) => ` ${p.topic.thing} ${p.topic.problem} and I feel ${p.feeling}; how can I ${p.topic.wish}?`;
const poorSummary = () => pick([' help please', ' idk what to do', ' long story, read the post', ' things are bad']);

function tldrSft(count: number) {
  return Array.from({ length: count }, (_, i) => {
    const p = post(topics[i % topics.length]);
    return { id: `fixture-${i}`, subreddit: p.subreddit, title: p.title, post: p.post, summary: goodSummary(p), split: i % 5 === 4 ? 'valid' : 'train' };
  });
}

function tldrComparisons(count: number) {
  return Array.from({ length: count }, (_, i) => {
    const p = post(topics[(i * 3) % topics.length]);
    const good = { text: goodSummary(p), policy: 'fixture-good', note: null };
    const poor = { text: poorSummary(), policy: 'fixture-poor', note: null };
    const choice = random.int(2);
    return {
      info: { id: `fixture-c${i}`, post: p.post, title: p.title, subreddit: p.subreddit },
      summaries: choice === 0 ? [good, poor] : [poor, good],
      choice,
      worker: 'fixture',
      batch: 'fixture',
      split: i % 5 === 4 ? 'valid1' : 'train',
    };
  });
}

const questions = [
  { ask: 'How do I keep basil alive indoors?', help: 'Give it a sunny window, water it when the soil is dry, and pinch off the flowers.' },
  { ask: 'What is a good way to start saving money?', help: 'Set aside a fixed amount on payday and track what you spend for a month.' },
  { ask: 'How can I fall asleep faster?', help: 'Keep a regular bedtime, avoid screens for an hour before, and keep the room cool.' },
  { ask: 'How do I learn to juggle?', help: 'Start with one ball, then two, throwing each in an arc at eye height.' },
  { ask: 'Can you suggest a quick lunch?', help: 'A wrap with beans, rice, salsa and cheese takes five minutes.' },
  { ask: 'How do I write a polite reminder email?', help: 'Thank them, restate the request and the date, and offer help if needed.' },
] as const;
const followUps = [
  { ask: 'Thanks. Anything else?', help: 'Yes: keep notes on what works, and adjust a little each week.' },
  { ask: 'What if that does not work?', help: 'Then change one thing at a time, so you can tell what helped.' },
] as const;
const places = ['I live in a small flat', 'I live in a big house', 'I live by the sea', 'I live in the city', 'I live on a farm', 'I share a house'];
const details = ['I have about', 'I can spare', 'I have only', 'I would like to spend'];
const units = ['hours a week', 'minutes a day', 'evenings a month', 'weekends a year'];
const unhelpful = [' I do not know.', ' Why would you ask me that?', ' Figure it out yourself.', ' That is not something I can talk about.'];

/** One HH-RLHF row: shared turns, then a chosen (helpful) and a rejected (unhelpful) last response. */
function hhRow(i: number) {
  const q = questions[i % questions.length];
  const turns = 1 + (i % 3); // one to three human turns
  let shared = `\n\nHuman: ${pick(places)} and ${pick(details)} ${1 + random.int(9)} ${pick(units)}. ${q.ask}`;
  for (let t = 1; t < turns; t++) {
    const previous = t === 1 ? q.help : followUps[(t - 2) % followUps.length].help;
    shared += `\n\nAssistant: ${previous}\n\nHuman: ${followUps[(t - 1) % followUps.length].ask}`;
  }
  const last = turns === 1 ? q.help : followUps[(turns - 2) % followUps.length].help;
  return { chosen: `${shared}\n\nAssistant: ${last}`, rejected: `${shared}\n\nAssistant:${pick(unhelpful)}` };
}

/** News-like articles and their highlights (CNN/DailyMail's layout), from their own seed so that the other files keep their bytes. */
const newsRandom = new Random(61);
const towns = ['Riverton', 'Oakfield', 'Lakeside', 'Millbrook', 'Stonebridge', 'Westvale'];
const events = [
  { what: 'a storm closed the main road', after: 'crews cleared fallen trees overnight', result: 'the road reopened on Tuesday' },
  { what: 'the council approved a new library', after: 'residents had asked for it for years', result: 'building starts next spring' },
  { what: 'a local team won the regional final', after: 'the match went to extra time', result: 'fans gathered in the square' },
  { what: 'the bakery on the high street closed', after: 'rents rose sharply this year', result: 'its owner plans to sell online' },
  { what: 'a school opened a community garden', after: 'pupils planted beans and herbs', result: 'the harvest will go to a food bank' },
  { what: 'a bridge was found to need repairs', after: 'engineers inspected it last week', result: 'traffic is limited to one lane' },
] as const;
function newsRow(i: number) {
  const town = towns[newsRandom.int(towns.length)];
  const e = events[i % events.length];
  const quote = ['"We are relieved," a resident said.', '"It took a long time," an official said.', '"Everyone helped," a volunteer said.'][newsRandom.int(3)];
  return {
    id: `fixture-news-${i}`,
    article: `(CNN) -- In ${town}, ${e.what}. Officials said ${e.after}. ${quote} Local news reported that ${e.result}.`,
    highlights: `${e.what[0].toUpperCase()}${e.what.slice(1)} in ${town} .\n${e.result[0].toUpperCase()}${e.result.slice(1)} .`,
  };
}

/**
 * Made-up human judgments of TL;DR summary pairs (the form of evaluate's human_labels):
 * a post's reference summary against a poor one, in a drawn order, judged by one or two
 * "raters" who mostly prefer the reference; the groups name the paper's Table 2 columns.
 */
const studyRandom = new Random(62);
function humanStudyRow(r: { subreddit: string; title: string; post: string; summary: string; id: string }, i: number) {
  const good = r.summary.trim();
  const poor = ['help please', 'idk what to do', 'long story, read the post', 'things are bad'][studyRandom.int(4)];
  const goodFirst = studyRandom.int(2) === 0;
  const rate = () => (studyRandom.next() < 0.8 ? (goodFirst ? 'A' : 'B') : studyRandom.next() < 0.5 ? 'tie' : goodFirst ? 'B' : 'A');
  return {
    prompt: fillTemplate(TLDR_TEMPLATE, r, r.id),
    response_a: goodFirst ? good : poor,
    response_b: goodFirst ? poor : good,
    humans: i % 3 === 0 ? [rate(), rate()] : [rate()],
    group: ['DPO', 'SFT', 'PPO-1'][i % 3],
  };
}

const jsonl = (rows: unknown[]) => rows.map((r) => JSON.stringify(r)).join('\n') + '\n';

// CNN/DailyMail articles in the published layout with splits and long articles, for the cnn_dailymail
// source: drawn from their own generator so that the files above keep their bytes.
const news = new Random(3);
const pickNews = <T>(items: readonly T[]): T => items[news.int(items.length)];
const cities = ['LONDON, England', 'ATLANTA, Georgia', 'SYDNEY, Australia', 'TORONTO, Canada', 'MADRID, Spain', 'NAIROBI, Kenya'] as const;
const newsEvents = [
  { what: 'a new bridge over the river', who: 'city engineers', did: 'opened', why: 'to cut the morning commute by twenty minutes' },
  { what: 'the local football club', who: 'the club chairman', did: 'sold', why: 'after three seasons of falling ticket sales' },
  { what: 'a rare orchid', who: 'volunteers at the botanic garden', did: 'found', why: 'in a wood that was due to be cleared' },
  { what: 'the central library', who: 'the council', did: 'closed', why: 'while the roof is repaired after a storm' },
  { what: 'a school robotics team', who: 'teachers', did: 'praised', why: 'for winning a national contest with a fruit-picking robot' },
  { what: 'the night bus service', who: 'the transport authority', did: 'extended', why: 'because shift workers asked for later buses' },
] as const;
const quotes = ['"We are proud of what has been done," a spokesperson said.', '"Nobody expected it to happen so fast," one resident said.', '"This is only the first step," an official told reporters.'];
const background = [
  'The plan was first discussed at a public meeting last spring.',
  'Some residents wrote to the newspaper to complain about the cost.',
  'Figures released on Monday show that the number of visitors rose sharply.',
  'The work was paid for partly by a grant and partly by local donations.',
  'Similar projects in other cities took twice as long to finish.',
  'A review of the decision is expected before the end of the year.',
];

/** One article in the style of the CNN/DailyMail rows: dateline, lead, quotes, background; every tenth is long (over 500 words). */
function cnnRow(i: number) {
  const e = newsEvents[i % newsEvents.length];
  const count = 2 + news.int(9);
  const lead = `${pickNews(cities)} (CNN) -- ${e.who[0].toUpperCase()}${e.who.slice(1)} ${e.did} ${e.what} on ${pickNews(['Monday', 'Tuesday', 'Friday', 'Saturday'])}, ${e.why}.`;
  const paragraphs = [lead, `About ${count * 100} people came to watch.`, pickNews(quotes), ...news.shuffle(background).slice(0, 2 + news.int(3))];
  if (i % 10 === 9) for (let k = 0; k < 12; k++) paragraphs.push(...news.shuffle(background).slice(0, 4), pickNews(quotes));
  const highlights = [`${e.who[0].toUpperCase()}${e.who.slice(1)} ${e.did} ${e.what} .`, `The move comes ${e.why} .`, `About ${count * 100} people came to watch .`].slice(0, 2 + news.int(2));
  const id = createHash('sha1').update(`fixture-cnn-${i}`).digest('hex');
  return { article: paragraphs.join(' '), highlights: highlights.join('\n'), id, split: i % 10 < 8 ? 'train' : i % 10 === 8 ? 'validation' : 'test' };
}

const csvCell = (value: string) => (/[",\n]/.test(value) ? `"${value.replace(/"/g, '""')}"` : value);
const cnnCsv = (rows: ReturnType<typeof cnnRow>[]) => ['id,article,highlights', ...rows.map((r) => [r.id, r.article, r.highlights].map(csvCell).join(','))].join('\n') + '\n';
const cnn = Array.from({ length: 300 }, (_, i) => cnnRow(i));

await mkdir(out, { recursive: true });
const sft = tldrSft(150);
const files: Record<string, string> = {
  'tldr-sft.jsonl': jsonl(sft),
  'tldr-sft-carper.jsonl': jsonl(sft.slice(0, 20).map((r) => ({ prompt: fillTemplate(TLDR_TEMPLATE, r, r.id), label: r.summary.trim() }))),
  'tldr-comparisons.jsonl': jsonl(tldrComparisons(150)),
  'hh-rlhf.jsonl': jsonl(Array.from({ length: 150 }, (_, i) => hhRow(i))),
  'hh-rlhf-test.jsonl': jsonl(Array.from({ length: 30 }, (_, i) => hhRow(1000 + i))),
  'cnn-dailymail.jsonl': jsonl(Array.from({ length: 24 }, (_, i) => newsRow(i))),
  'tldr-human-study.jsonl': jsonl(sft.slice(0, 24).map(humanStudyRow)),
  'cnn-dailymail-hf.jsonl': jsonl(cnn),
  'cnn-dailymail-hf.csv': cnnCsv(cnn.slice(0, 20)),
};
for (const [name, content] of Object.entries(files)) {
  await writeFile(join(out, name), content);
  console.log(`wrote data/fixtures/${name} (${content.length} bytes)`);
}
