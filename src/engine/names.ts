import type { Prng } from '../sim/prng.js';

/**
 * Docker-style generated names: "<adjective>_<surname>" (Docker draws surnames from notable
 * scientists and hackers; this is a short list of our own picking in the same spirit).
 */
const LEFT = [
  'admiring', 'agitated', 'amazing', 'awesome', 'blissful', 'bold', 'brave', 'busy', 'charming', 'clever',
  'compassionate', 'confident', 'cool', 'dazzling', 'determined', 'eager', 'ecstatic', 'elegant', 'epic',
  'festive', 'focused', 'friendly', 'funny', 'gallant', 'gifted', 'gigantic', 'goofy', 'gracious', 'happy',
  'hopeful', 'infallible', 'inspiring', 'jolly', 'jovial', 'keen', 'kind', 'laughing', 'loving', 'lucid',
  'magical', 'modest', 'musing', 'mystifying', 'nice', 'nifty', 'nostalgic', 'objective', 'optimistic',
  'peaceful', 'pensive', 'practical', 'quirky', 'quizzical', 'relaxed', 'romantic', 'serene', 'sharp',
  'silly', 'sleepy', 'stoic', 'sweet', 'tender', 'thirsty', 'trusting', 'upbeat', 'vibrant', 'vigilant',
  'wizardly', 'wonderful', 'youthful', 'zealous', 'zen',
];
const RIGHT = [
  'agnesi', 'albattani', 'allen', 'archimedes', 'babbage', 'bardeen', 'bell', 'bhabha', 'bohr', 'borg',
  'bose', 'brown', 'carson', 'cerf', 'chandrasekhar', 'clarke', 'curie', 'darwin', 'dijkstra', 'einstein',
  'euclid', 'euler', 'faraday', 'fermi', 'feynman', 'franklin', 'galileo', 'gauss', 'goldberg', 'goodall',
  'hamilton', 'hawking', 'heisenberg', 'hodgkin', 'hopper', 'hypatia', 'jemison', 'johnson', 'kahn',
  'keller', 'kepler', 'knuth', 'lamarr', 'leakey', 'lovelace', 'lumiere', 'mayer', 'mccarthy', 'mcclintock',
  'meitner', 'mendel', 'morse', 'newton', 'nobel', 'noether', 'pascal', 'pasteur', 'perlman', 'pike',
  'poincare', 'ritchie', 'rosalind', 'shannon', 'shockley', 'sinoussi', 'stonebraker', 'swartz', 'tesla',
  'thompson', 'torvalds', 'turing', 'villani', 'wescoff', 'wilbur', 'wozniak', 'wright', 'yalow', 'yonath',
];

export function generateName(prng: Prng, taken: (n: string) => boolean): string {
  for (let i = 0; ; i++) {
    let n = `${LEFT[prng.int(0, LEFT.length - 1)]}_${RIGHT[prng.int(0, RIGHT.length - 1)]}`;
    if (i > 10) n += prng.int(0, 9);
    if (!taken(n)) return n;
  }
}

/** Docker's container name rule. */
export const VALID_NAME = /^\/?[a-zA-Z0-9][a-zA-Z0-9_.-]+$/;
