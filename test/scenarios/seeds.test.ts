import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { main } from '../../src/cli/main.js';
import { scriptLines } from '../../src/cli/script.js';

const DIR = fileURLToPath(new URL('../../fixtures/scenarios/', import.meta.url));

/**
 * Each tutorial seed as a vnet script with the transcript Docker would print. A seed whose
 * features are still being built is a todo (with what it waits for), not a fake pass; once they
 * land, regenerate its transcript, review it against the seed and Docker, and drop `pending`:
 *   npx tsx src/cli/main.ts play --check fixtures/scenarios/seed-00N.expected --update fixtures/scenarios/seed-00N.sh
 */
const SEEDS: { n: string; title: string; pending?: string }[] = [
  { n: '000', title: 'published ports, host/container connections, the hit counter and redis by name' },
  { n: '001', title: 'FoodTrucks: Elasticsearch on the default bridge, then foodtrucks-net' },
  { n: '002', title: 'default bridge (ping by IP, not by name), my_bridge (ping by name)' },
  { n: '003', title: 'relay with nc, dynamic ports, links, user networks' },
  { n: '004', title: 'default networks, publishing, a user network with DNS' },
];

async function vnet(...args: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const code = await main(args, { out: (s) => void (out += s), err: (s) => void (err += s) });
  return { code, out, err };
}

describe('tutorial seeds replay as Docker prints them', () => {
  for (const s of SEEDS) {
    const script = `${DIR}seed-${s.n}.sh`;
    const expected = `${DIR}seed-${s.n}.expected`;
    if (s.pending) {
      it.todo(`seed ${s.n} (${s.title}): waiting for ${s.pending}`);
      continue;
    }
    it(`seed ${s.n}: ${s.title}`, async () => {
      expect(existsSync(expected), `${expected} missing`).toBe(true);
      const r = await vnet('play', '--check', expected, script);
      expect(r.out, r.out).toBe('');
      expect(r.code).toBe(0);
    });
  }
});

describe('every seed script plays without vnet-level errors', () => {
  for (const s of SEEDS) {
    it(`seed ${s.n}`, async () => {
      const r = await vnet('play', `${DIR}seed-${s.n}.sh`);
      expect(r.code).toBe(0);
      // Lines vnet could not run at all (as opposed to commands that fail inside the emulation).
      expect(r.out.split('\n').filter((l) => l.startsWith('vnet: '))).toEqual([]);
      expect(r.err).toBe('');
      // the transcript echoes every command line of the script
      const commands = scriptLines(readFileSync(`${DIR}seed-${s.n}.sh`, 'utf8')).filter((l) => l.text.trim() && !l.text.startsWith('#'));
      expect(r.out.split('\n').filter((l) => /^(\$ |root@[0-9a-f]{12}:\/# |\/ # )/.test(l)).length).toBe(commands.length);
    });
  }
});
