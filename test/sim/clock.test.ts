import { describe, expect, it } from 'vitest';
import { VirtualClock } from '../../src/sim/virtual-clock.js';
import { Prng } from '../../src/sim/prng.js';

describe('VirtualClock', () => {
  it('fires in time order, FIFO for equal times', () => {
    const c = new VirtualClock();
    const seen: string[] = [];
    c.after(5, () => seen.push('b5'));
    c.after(1, () => seen.push('a1'));
    c.after(5, () => seen.push('c5'));
    c.after(0, () => seen.push('z0'));
    c.advance(10);
    expect(seen).toEqual(['z0', 'a1', 'b5', 'c5']);
    expect(c.now()).toBe(10);
  });

  it('re-arming moves a timer; cancel stops it; advance never overshoots', () => {
    const c = new VirtualClock();
    const at: number[] = [];
    const t = c.timer(() => at.push(c.now()));
    t.arm(10);
    t.arm(30); // later: the heap entry at 10 is reused
    c.advance(20);
    expect(at).toEqual([]);
    expect(c.now()).toBe(20);
    c.advance(40);
    expect(at).toEqual([30]);
    t.arm(5);
    t.cancel();
    c.advance(100);
    expect(at).toEqual([30]);
    t.arm(1);
    t.arm(0.5); // earlier
    c.advance(101);
    expect(at).toEqual([30, 100.5]);
  });

  it('run() advances virtual time until the promise settles, without wall waiting', async () => {
    const c = new VirtualClock();
    const t0 = performance.now();
    await c.run(c.sleep(3_600_000));
    expect(c.now()).toBe(3_600_000);
    expect(performance.now() - t0).toBeLessThan(1000);
  });

  it('concurrent run() calls each resolve at their own time', async () => {
    const c = new VirtualClock();
    const done: [string, number][] = [];
    await Promise.all([
      c.run(c.sleep(100).then(() => done.push(['a', c.now()]))),
      c.run(c.sleep(50).then(() => done.push(['b', c.now()]))),
    ]);
    expect(done).toEqual([['b', 50], ['a', 100]]);
  });

  it('sleep is abortable', async () => {
    const c = new VirtualClock();
    const ac = new AbortController();
    c.after(10, () => ac.abort());
    await expect(c.run(c.sleep(1000, ac.signal))).rejects.toThrow(/aborted/);
    expect(c.now()).toBe(10);
  });
});

describe('Prng', () => {
  it('is deterministic per seed and differs across seeds', () => {
    const a = new Prng(42), b = new Prng(42), c = new Prng(43);
    const xs = Array.from({ length: 5 }, () => a.u32());
    expect(Array.from({ length: 5 }, () => b.u32())).toEqual(xs);
    expect(Array.from({ length: 5 }, () => c.u32())).not.toEqual(xs);
  });
  it('int() stays in range and covers it', () => {
    const p = new Prng(1);
    const seen = new Set<number>();
    for (let i = 0; i < 2000; i++) {
      const v = p.int(3, 9);
      expect(v).toBeGreaterThanOrEqual(3);
      expect(v).toBeLessThanOrEqual(9);
      seen.add(v);
    }
    expect(seen.size).toBe(7);
  });
  it('hex() gives the requested length', () => {
    expect(new Prng(0).hex(64)).toMatch(/^[0-9a-f]{64}$/);
  });
});
