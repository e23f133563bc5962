import type { Rule } from './rule.js';

/** A chain: built-in ones have a policy (ACCEPT/DROP) and policy counters. */
export class Chain {
  rules: Rule[] = [];
  /** Packets/bytes that fell off the end and took the policy. */
  pkts = 0;
  bytes = 0;
  /** Number of rules (in this table) jumping here. */
  refs = 0;
  constructor(
    public name: string,
    readonly builtin: boolean,
    public policy: 'ACCEPT' | 'DROP' = 'ACCEPT',
    /** For built-in chains: the hook bit (1 << Hook). */
    readonly hookMask = 0,
  ) {}
}
