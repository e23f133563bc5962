import { Chain } from './chain.js';
import { Hook } from './hook.js';

export type TableName = 'filter' | 'nat';

const BUILTINS: Record<TableName, ReadonlyArray<readonly [string, Hook]>> = {
  filter: [['INPUT', Hook.INPUT], ['FORWARD', Hook.FORWARD], ['OUTPUT', Hook.OUTPUT]],
  nat: [['PREROUTING', Hook.PREROUTING], ['INPUT', Hook.INPUT], ['OUTPUT', Hook.OUTPUT], ['POSTROUTING', Hook.POSTROUTING]],
};

/** An iptables table: built-in chains at their hooks plus user chains. */
export class Table {
  readonly chains = new Map<string, Chain>();
  /** Built-in chain per hook (undefined where the table has no chain at that hook). */
  readonly byHook: (Chain | undefined)[] = [undefined, undefined, undefined, undefined, undefined];
  /** Used by some iptables command (Linux instantiates a netns's tables on first use; iptables-save lists those). */
  touched = false;

  constructor(readonly name: TableName) {
    for (const [n, h] of BUILTINS[name]) {
      const c = new Chain(n, true, 'ACCEPT', 1 << h);
      this.chains.set(n, c);
      this.byHook[h] = c;
    }
  }

  get(name: string): Chain | undefined {
    return this.chains.get(name);
  }

  /** Chains in libiptc order: built-ins in hook order, then user chains sorted by name. */
  ordered(): Chain[] {
    const b: Chain[] = [];
    const u: Chain[] = [];
    for (const c of this.chains.values()) (c.builtin ? b : u).push(c);
    u.sort((x, y) => (x.name < y.name ? -1 : x.name > y.name ? 1 : 0));
    return b.concat(u);
  }

  ruleCount(): number {
    let n = 0;
    for (const c of this.chains.values()) n += c.rules.length;
    return n;
  }
}

export const TABLE_NAMES: readonly TableName[] = ['filter', 'nat'];
