/**
 * `iptables` (v1.8.9, legacy backend) as a function over a Netfilter: parses argv the way
 * iptables' getopt loop does, validates everything first, then mutates, so a failing command
 * leaves the tables unchanged. Messages and exit codes follow iptables.
 */
import type { Netfilter } from './netfilter.js';
import type { Table, TableName } from './table.js';
import { Chain } from './chain.js';
import {
  ADDR_TYPE_NAMES, CT_STATE_NAMES, Rule, TargetKind, compileRule, type MatchModule,
} from './rule.js';
import type { RejectKind } from './hook.js';
import { Hook } from './hook.js';
import { parseIp } from '../wire/addr.js';
import { PROTO_ICMP, PROTO_TCP, PROTO_UDP } from '../wire/ipv4.js';
import { SERVICES } from './format.js';
import { ruleSpecText } from './iptables-save.js';
import { listChains, listRules, chainRefs } from './iptables-list.js';

export interface CommandResult {
  exitCode: number;
  stdout: string;
  stderr: string;
}

const PROG = 'iptables v1.8.9 (legacy)';

class CliError extends Error {
  constructor(readonly exitCode: number, readonly text: string) {
    super(text);
  }
}

/** A usage problem: "iptables v1.8.9 (legacy): msg" + the --help hint, exit 2. */
function usage(msg: string): CliError {
  return new CliError(2, `${PROG}: ${msg}\nTry \`iptables -h' or 'iptables --help' for more information.\n`);
}

/** A libiptc/kernel failure: "iptables: msg.", exit 1. */
function lib(msg: string): CliError {
  return new CliError(1, `iptables: ${msg}.\n`);
}

const EINVAL = (): CliError => new CliError(1, "iptables: Invalid argument. Run `dmesg' for more information.\n");
const ENOENT = (): CliError => lib('No chain/target/match by that name');

const BUILTIN_TARGETS: Record<string, TargetKind> = {
  ACCEPT: TargetKind.Accept,
  DROP: TargetKind.Drop,
  RETURN: TargetKind.Return,
  REJECT: TargetKind.Reject,
  DNAT: TargetKind.Dnat,
  SNAT: TargetKind.Snat,
  MASQUERADE: TargetKind.Masquerade,
};
/** Extension targets iptables knows but this emulator does not implement (loading them "fails"). */
const KNOWN_UNSUPPORTED = new Set(['LOG', 'MARK', 'CONNMARK', 'TCPMSS', 'NFLOG', 'CHECKSUM', 'REDIRECT', 'NOTRACK', 'CT', 'TRACE', 'TTL', 'TOS', 'DSCP', 'QUEUE', 'NFQUEUE', 'ULOG', 'CLASSIFY', 'SET']);

const REJECT_KINDS: Record<string, RejectKind> = {
  'icmp-net-unreachable': 'icmp-net-unreachable', 'net-unreach': 'icmp-net-unreachable',
  'icmp-host-unreachable': 'icmp-host-unreachable', 'host-unreach': 'icmp-host-unreachable',
  'icmp-port-unreachable': 'icmp-port-unreachable', 'port-unreach': 'icmp-port-unreachable',
  'icmp-proto-unreachable': 'icmp-proto-unreachable', 'proto-unreach': 'icmp-proto-unreachable',
  'icmp-net-prohibited': 'icmp-net-prohibited', 'net-prohib': 'icmp-net-prohibited',
  'icmp-host-prohibited': 'icmp-host-prohibited', 'host-prohib': 'icmp-host-prohibited',
  'icmp-admin-prohibited': 'icmp-admin-prohibited', 'admin-prohib': 'icmp-admin-prohibited',
  'tcp-reset': 'tcp-reset', 'tcp-rst': 'tcp-reset',
};

const ICMP_TYPES: Record<string, [number, number]> = {
  any: [255, -1], 'echo-reply': [0, -1], pong: [0, -1], 'destination-unreachable': [3, -1],
  'network-unreachable': [3, 0], 'host-unreachable': [3, 1], 'protocol-unreachable': [3, 2], 'port-unreachable': [3, 3],
  'fragmentation-needed': [3, 4], 'source-quench': [4, -1], redirect: [5, -1], 'echo-request': [8, -1], ping: [8, -1],
  'time-exceeded': [11, -1], 'ttl-zero-during-transit': [11, 0], 'ttl-zero-during-reassembly': [11, 1],
  'parameter-problem': [12, -1], 'timestamp-request': [13, -1], 'timestamp-reply': [14, -1],
};

/** Hooks each NAT/REJECT target may be used from (the kernel refuses others with EINVAL). */
const TARGET_HOOKS: Partial<Record<TargetKind, { table: TableName; hooks: number }>> = {
  [TargetKind.Dnat]: { table: 'nat', hooks: (1 << Hook.PREROUTING) | (1 << Hook.OUTPUT) },
  [TargetKind.Snat]: { table: 'nat', hooks: (1 << Hook.POSTROUTING) | (1 << Hook.INPUT) },
  [TargetKind.Masquerade]: { table: 'nat', hooks: 1 << Hook.POSTROUTING },
  [TargetKind.Reject]: { table: 'filter', hooks: (1 << Hook.INPUT) | (1 << Hook.FORWARD) | (1 << Hook.OUTPUT) },
};

type Cmd = 'A' | 'I' | 'D' | 'R' | 'F' | 'Z' | 'N' | 'X' | 'P' | 'L' | 'S' | 'C' | 'E';
const LONG_CMDS: Record<string, Cmd> = {
  '--append': 'A', '--insert': 'I', '--delete': 'D', '--replace': 'R', '--flush': 'F', '--zero': 'Z',
  '--new-chain': 'N', '--new': 'N', '--delete-chain': 'X', '--policy': 'P', '--list': 'L', '--list-rules': 'S',
  '--check': 'C', '--rename-chain': 'E',
};
const LONG_OPTS: Record<string, string> = {
  '--table': '-t', '--numeric': '-n', '--verbose': '-v', '--exact': '-x', '--source': '-s', '--src': '-s',
  '--destination': '-d', '--dst': '-d', '--protocol': '-p', '--in-interface': '-i', '--out-interface': '-o',
  '--jump': '-j', '--match': '-m', '--wait': '-w', '--goto': '-g', '--fragment': '-f', '--set-counters': '-c',
};
/** Short options that take an argument (the rest of a grouped "-tnat" is the argument). */
const SHORT_WITH_ARG = new Set(['t', 'A', 'D', 'R', 'I', 'N', 'E', 'P', 's', 'd', 'p', 'i', 'o', 'j', 'm', 'g']);
const SHORT_CMDS = new Set(['A', 'I', 'D', 'R', 'F', 'Z', 'N', 'X', 'P', 'L', 'S', 'C', 'E']);

/** Expand grouped short options ("-nvL" → -n -v -L, "-tnat" → -t nat) and "--opt=value". */
function expand(argv: readonly string[]): string[] {
  const out: string[] = [];
  for (const a of argv) {
    if (a.startsWith('--')) {
      const eq = a.indexOf('=');
      if (eq > 0) out.push(a.slice(0, eq), a.slice(eq + 1));
      else out.push(a);
    } else if (a.length > 2 && a[0] === '-' && /^[A-Za-z]/.test(a[1]!)) {
      for (let k = 1; k < a.length; k++) {
        const ch = a[k]!;
        out.push('-' + ch);
        if (SHORT_WITH_ARG.has(ch) && k + 1 < a.length) {
          out.push(a.slice(k + 1));
          break;
        }
      }
    } else out.push(a);
  }
  return out;
}

interface Parsed {
  table: TableName;
  cmd: Cmd | null;
  chain: string | undefined;
  rulenum: number | undefined;
  arg2: string | undefined;
  numeric: boolean;
  verbose: boolean;
  exact: boolean;
  lineNumbers: boolean;
  rule: Rule;
  /** Options that make up a rule spec were given (illegal with -L, -F, ...). */
  ruleOpt: string | null;
  jumpTo: string | null;
  /** Options loaded the tcp/udp/icmp match explicitly with -m. */
  explicit: Set<string>;
}

function parsePort(s: string): number {
  if (/^\d+$/.test(s)) {
    const n = Number(s);
    if (n <= 65535) return n;
  } else if (SERVICES[s] !== undefined) return SERVICES[s]!;
  throw usage(`invalid port/service \`${s}' specified`);
}

function parsePortRange(s: string): [number, number] {
  const i = s.indexOf(':');
  if (i < 0) {
    const p = parsePort(s);
    return [p, p];
  }
  const lo = i === 0 ? 0 : parsePort(s.slice(0, i));
  const hi = i === s.length - 1 ? 65535 : parsePort(s.slice(i + 1));
  if (lo > hi) return [hi, lo];
  return [lo, hi];
}

/** -s/-d argument → [network, mask] (network pre-masked). */
function parseAddr(s: string): [number, number] {
  let a = s;
  let mask = 0xffffffff;
  const slash = s.indexOf('/');
  if (slash >= 0) {
    a = s.slice(0, slash);
    const m = s.slice(slash + 1);
    if (/^\d{1,2}$/.test(m) && Number(m) <= 32) {
      const l = Number(m);
      mask = l === 0 ? 0 : (0xffffffff << (32 - l)) >>> 0;
    } else if (parseIp(m) >= 0) {
      mask = parseIp(m);
    } else throw usage(`invalid mask \`${m}' specified`);
  }
  let ip = a === '0' ? 0 : parseIp(a);
  if (ip < 0 && a === 'localhost') ip = 0x7f000001;
  if (ip < 0) throw usage(`host/network \`${a}' not found`);
  return [(ip & mask) | 0, mask | 0];
}

function parseIface(s: string): [string, boolean] {
  if (s.length > 15) throw usage(`interface name \`${s}' must be shorter than IFNAMSIZ (15)`);
  return s.endsWith('+') ? [s.slice(0, -1), true] : [s, false];
}

function parseProto(s: string): number {
  const l = s.toLowerCase();
  if (l === 'all' || l === '0') return 0;
  if (l === 'tcp') return PROTO_TCP;
  if (l === 'udp') return PROTO_UDP;
  if (l === 'icmp') return PROTO_ICMP;
  if (/^\d+$/.test(l) && Number(l) <= 255) return Number(l);
  throw usage(`unknown protocol "${s}" specified`);
}

function parseNatAddr(s: string, target: string, r: Rule): void {
  // ip[:port[-port]] or :port[-port]
  const m = /^([0-9.]*)(?::(\d+)(?:-(\d+))?)?$/.exec(s);
  if (!m || (m[1] === '' && m[2] === undefined)) throw usage(`Bad IP address "${s}"`);
  if (m[1] !== '') {
    const ip = parseIp(m[1]!);
    if (ip < 0) throw usage(`Bad IP address "${m[1]}"`);
    r.natIp = ip;
  }
  if (m[2] !== undefined) {
    const lo = Number(m[2]);
    const hi = m[3] !== undefined ? Number(m[3]) : lo;
    if (lo > 65535 || hi > 65535 || lo === 0) throw usage(`Port \`${m[2]}' not valid`);
    if (r.proto !== PROTO_TCP && r.proto !== PROTO_UDP) throw usage(`Need TCP, UDP, SCTP or DCCP with port specification`);
    r.natPortLo = Math.min(lo, hi);
    r.natPortHi = Math.max(lo, hi);
  }
  void target;
}

function parseArgs(argvIn: readonly string[]): Parsed {
  const argv = expand(argvIn);
  const P: Parsed = {
    table: 'filter', cmd: null, chain: undefined, rulenum: undefined, arg2: undefined,
    numeric: false, verbose: false, exact: false, lineNumbers: false,
    rule: new Rule(), ruleOpt: null, jumpTo: null, explicit: new Set(),
  };
  const r = P.rule;
  let tableGiven = false;
  let invert = false;
  const seen = new Set<string>();
  const once = (flag: string): void => {
    if (seen.has(flag)) throw usage(`multiple ${flag} flags not allowed`);
    seen.add(flag);
  };
  const loaded = new Set<MatchModule>();
  const load = (m: MatchModule): void => {
    if (!loaded.has(m)) {
      loaded.add(m);
      r.modules.push(m);
    }
  };
  let i = 0;
  const next = (opt: string): string => {
    const v = argv[i + 1];
    if (v === undefined) throw usage(`option "${opt}" requires an argument`);
    i++;
    return v;
  };
  /** Optional following argument (iptables takes it when it doesn't start with '-' or '!'). */
  const optional = (): string | undefined => {
    const v = argv[i + 1];
    if (v === undefined || v.startsWith('-') || v === '!') return undefined;
    i++;
    return v;
  };
  const setCmd = (c: Cmd): void => {
    if (P.cmd !== null) throw usage(`Cannot use -${c} with -${P.cmd}`);
    P.cmd = c;
  };
  const takeInvert = (): boolean => {
    const v = invert;
    invert = false;
    return v;
  };
  const ruleNumber = (s: string): number => {
    if (!/^\d+$/.test(s) || Number(s) < 1) throw usage(`Invalid rule number \`${s}'`);
    return Number(s);
  };
  const portOwner = (): 'tcp' | 'udp' | null => {
    for (const m of r.modules) if (m === 'tcp' || m === 'udp') return m;
    return null;
  };

  for (i = 0; i < argv.length; i++) {
    let a = argv[i]!;
    if (a === '!') {
      if (invert) throw usage('multiple consecutive ! not allowed');
      invert = true;
      continue;
    }
    const longCmd = LONG_CMDS[a];
    if (longCmd) a = '-' + longCmd;
    else if (LONG_OPTS[a]) a = LONG_OPTS[a]!;
    const short = a.length === 2 && a[0] === '-' ? a[1]! : '';
    if (short && SHORT_CMDS.has(short)) {
      if (invert) throw usage(`cannot have ! before -${short}`);
      const c = short as Cmd;
      setCmd(c);
      switch (c) {
        case 'A':
        case 'C':
          P.chain = next(a);
          break;
        case 'I':
        case 'R':
        case 'D': {
          P.chain = next(a);
          const v = optional();
          if (v !== undefined) {
            if (c === 'D' && !/^\d+$/.test(v)) throw usage(`Bad argument \`${v}'`);
            P.rulenum = ruleNumber(v);
          }
          if (c === 'R' && P.rulenum === undefined) throw usage('-R requires a rule number');
          break;
        }
        case 'N':
          P.chain = next(a);
          break;
        case 'P':
          P.chain = next(a);
          P.arg2 = optional();
          if (P.arg2 === undefined) throw usage('-P requires a chain and a policy');
          break;
        case 'E':
          P.chain = next(a);
          P.arg2 = optional();
          if (P.arg2 === undefined) throw usage('-E requires old-chain-name and new-chain-name');
          break;
        case 'L':
        case 'S':
        case 'Z': {
          P.chain = optional();
          if (P.chain !== undefined) {
            const v = optional();
            if (v !== undefined) P.rulenum = ruleNumber(v);
          }
          break;
        }
        case 'F':
        case 'X':
          P.chain = optional();
          break;
      }
      continue;
    }
    switch (a) {
      case '-t': {
        if (invert) throw usage('unexpected ! flag before --table');
        if (tableGiven) throw usage('multiple -t flags not allowed');
        tableGiven = true;
        const t = next(a);
        if (t !== 'filter' && t !== 'nat') {
          throw new CliError(3, `${PROG}: can't initialize iptables table \`${t}': Table does not exist (do you need to insmod?)\nPerhaps iptables or your kernel needs to be upgraded.\n`);
        }
        P.table = t;
        continue;
      }
      case '-n':
        P.numeric = true;
        continue;
      case '-v':
        P.verbose = true;
        continue;
      case '-x':
        P.exact = true;
        continue;
      case '--line-numbers':
        P.lineNumbers = true;
        continue;
      case '-w':
        optional();
        continue;
      case '-s':
      case '-d': {
        once(a);
        P.ruleOpt ??= a;
        const [net, mask] = parseAddr(next(a));
        if (a === '-s') {
          r.src = net;
          r.srcMask = mask;
          r.srcInv = takeInvert();
        } else {
          r.dst = net;
          r.dstMask = mask;
          r.dstInv = takeInvert();
        }
        continue;
      }
      case '-p':
        once(a);
        P.ruleOpt ??= a;
        r.proto = parseProto(next(a));
        r.protoInv = takeInvert();
        if (r.protoInv && r.proto === 0) throw usage('rule would never match protocol');
        continue;
      case '-i':
      case '-o': {
        once(a);
        P.ruleOpt ??= a;
        const [n, w] = parseIface(next(a));
        if (a === '-i') {
          r.inIf = n;
          r.inWild = w;
          r.inInv = takeInvert();
        } else {
          r.outIf = n;
          r.outWild = w;
          r.outInv = takeInvert();
        }
        continue;
      }
      case '-j': {
        if (invert) throw usage('cannot have ! before -j');
        once('-j');
        P.ruleOpt ??= a;
        const t = next(a);
        P.jumpTo = t;
        r.targetName = t;
        r.target = BUILTIN_TARGETS[t] ?? TargetKind.Jump;
        continue;
      }
      case '-g':
        throw usage('-g (goto) is not supported');
      case '-f':
        throw usage('-f (fragment matching) is not supported');
      case '-c':
        throw usage('-c (set counters) is not supported');
      case '-m': {
        if (invert) throw usage('unexpected ! flag before --match');
        P.ruleOpt ??= a;
        const m = next(a);
        if (m === 'tcp' || m === 'udp' || m === 'icmp' || m === 'conntrack' || m === 'state' || m === 'addrtype') {
          load(m);
          P.explicit.add(m);
        } else {
          throw usage(`Couldn't load match \`${m}':No such file or directory`);
        }
        continue;
      }
    }
    // Match and target options.
    if (a === '--sport' || a === '--source-port' || a === '--dport' || a === '--destination-port' || a === '--sports' || a === '--dports') {
      let owner = portOwner();
      if (owner === null) {
        // Implicit load of the protocol's match, as iptables does for -p tcp/udp.
        if (r.proto === PROTO_TCP) owner = 'tcp';
        else if (r.proto === PROTO_UDP) owner = 'udp';
        else throw usage(`unknown option "${a}"`);
        load(owner);
      }
      if (a === '--sports' || a === '--dports') throw usage(`unknown option "${a}"`);
      P.ruleOpt ??= a;
      const [lo, hi] = parsePortRange(next(a));
      if (a === '--sport' || a === '--source-port') {
        if (r.sportLo >= 0) throw usage(`${owner}: "--sport" option may only be specified once`);
        r.sportLo = lo;
        r.sportHi = hi;
        r.sportInv = takeInvert();
      } else {
        if (r.dportLo >= 0) throw usage(`${owner}: "--dport" option may only be specified once`);
        r.dportLo = lo;
        r.dportHi = hi;
        r.dportInv = takeInvert();
      }
      r.needsL4 = true;
      continue;
    }
    if (a === '--icmp-type') {
      if (!loaded.has('icmp')) {
        if (r.proto !== PROTO_ICMP) throw usage(`unknown option "${a}"`);
        load('icmp');
      }
      P.ruleOpt ??= a;
      const v = next(a);
      let tc = ICMP_TYPES[v];
      if (!tc) {
        const m = /^(\d+)(?:\/(\d+))?$/.exec(v);
        if (!m || Number(m[1]) > 255 || (m[2] !== undefined && Number(m[2]) > 255)) throw usage(`Invalid ICMP type \`${v}'`);
        tc = [Number(m[1]), m[2] !== undefined ? Number(m[2]) : -1];
      }
      r.icmpType = tc[0];
      r.icmpCode = tc[1];
      r.icmpInv = takeInvert();
      r.needsL4 = true;
      continue;
    }
    if (a === '--ctstate' || a === '--state') {
      if (!loaded.has(a === '--state' ? 'state' : 'conntrack')) throw usage(`unknown option "${a}"`);
      if (r.ctMask !== 0) throw usage(`multiple ${a} not allowed`);
      const v = next(a);
      let mask = 0;
      for (const w of v.split(',')) {
        const e = CT_STATE_NAMES.find(([, n]) => n === w.toUpperCase());
        if (!e) throw usage(`Bad ctstate "${w}"`);
        mask |= e[0];
      }
      r.ctMask = mask;
      r.ctInv = takeInvert();
      continue;
    }
    if (a === '--src-type' || a === '--dst-type') {
      if (!loaded.has('addrtype')) throw usage(`unknown option "${a}"`);
      const v = next(a);
      let mask = 0;
      for (const w of v.split(',')) {
        const e = ADDR_TYPE_NAMES.find(([, n]) => n === w.toUpperCase());
        if (!e) throw usage(`addrtype: invalid address type "${w}"`);
        mask |= e[0];
      }
      if (a === '--src-type') {
        r.srcType = mask;
        r.srcTypeInv = takeInvert();
      } else {
        r.dstType = mask;
        r.dstTypeInv = takeInvert();
      }
      continue;
    }
    if (a === '--to-destination' || a === '--to-source') {
      const want = a === '--to-destination' ? TargetKind.Dnat : TargetKind.Snat;
      if (r.target !== want) throw usage(`unknown option "${a}"`);
      if (r.natIp >= 0 || r.natPortLo >= 0) throw usage(`${r.targetName}: Multiple --${a.slice(2)} not supported`);
      parseNatAddr(next(a), r.targetName, r);
      continue;
    }
    if (a === '--to-ports') {
      if (r.target !== TargetKind.Masquerade) throw usage(`unknown option "${a}"`);
      const v = next(a);
      const m = /^(\d+)(?:-(\d+))?$/.exec(v);
      if (!m) throw usage(`Port \`${v}' not valid`);
      if (r.proto !== PROTO_TCP && r.proto !== PROTO_UDP) throw usage('Need TCP, UDP, SCTP or DCCP with port specification');
      r.natPortLo = Number(m[1]);
      r.natPortHi = m[2] !== undefined ? Number(m[2]) : r.natPortLo;
      continue;
    }
    if (a === '--reject-with') {
      if (r.target !== TargetKind.Reject) throw usage(`unknown option "${a}"`);
      const v = next(a);
      const k = REJECT_KINDS[v];
      if (!k) throw usage(`unknown reject type "${v}"`);
      if (k === 'tcp-reset' && r.proto !== PROTO_TCP) throw usage('REJECT: TCP RST can only be used with protocol tcp');
      r.rejectWith = k;
      continue;
    }
    if (a.startsWith('-') && a.length > 1) throw usage(`unknown option "${a}"`);
    throw usage(`Bad argument \`${a}'`);
  }
  if (invert) throw usage('! must be followed by an option');
  if (P.cmd === null) throw usage('no command specified');
  // A protocol match loaded with -m must agree with -p (the kernel's check, EINVAL).
  for (const m of ['tcp', 'udp', 'icmp'] as const) {
    const want = m === 'tcp' ? PROTO_TCP : m === 'udp' ? PROTO_UDP : PROTO_ICMP;
    if (loaded.has(m) && (r.proto !== want || r.protoInv)) throw EINVAL();
  }
  return P;
}

/** Every built-in chain reachable to each chain, for the kernel's target/hook validity checks. */
function hookMasks(t: Table): Map<Chain, number> | null {
  const masks = new Map<Chain, number>();
  const visiting = new Set<Chain>();
  let loop = false;
  const visit = (c: Chain, mask: number): void => {
    if (visiting.has(c)) {
      loop = true;
      return;
    }
    const had = masks.get(c) ?? 0;
    if ((had | mask) === had && masks.has(c)) return;
    masks.set(c, had | mask);
    visiting.add(c);
    for (const r of c.rules) if (r.jump) visit(r.jump, mask);
    visiting.delete(c);
  };
  for (const c of t.chains.values()) if (c.builtin) visit(c, c.hookMask);
  // Unreferenced user chains still must not loop.
  for (const c of t.chains.values()) if (!masks.has(c)) visit(c, 0);
  return loop ? null : masks;
}

/** Check the table as the kernel would on replace: no loops, NAT/REJECT targets only where allowed. */
function validateTable(t: Table): CliError | null {
  const masks = hookMasks(t);
  if (masks === null) return lib('Too many levels of symbolic links');
  for (const c of t.chains.values()) {
    const m = masks.get(c) ?? 0;
    for (const r of c.rules) {
      const lim = TARGET_HOOKS[r.target];
      if (lim && (lim.table !== t.name || (m & ~lim.hooks) !== 0)) return EINVAL();
    }
  }
  return null;
}

/** Resolve the -j target against the table and check per-chain restrictions. */
function finishRule(P: Parsed, t: Table, chain: Chain): Rule {
  const r = P.rule;
  if (P.jumpTo !== null && r.target === TargetKind.Jump) {
    const j = t.get(P.jumpTo);
    if (!j || j.builtin) {
      if (j?.builtin) throw EINVAL();
      throw new CliError(2, `${PROG}: Couldn't load target \`${P.jumpTo}':No such file or directory\n\nTry \`iptables -h' or 'iptables --help' for more information.\n`);
    }
    r.jump = j;
  }
  if (r.target === TargetKind.Dnat && r.natIp < 0 && r.natPortLo < 0) throw usage('DNAT: option "--to-destination" must be specified');
  if (r.target === TargetKind.Snat && r.natIp < 0 && r.natPortLo < 0) throw usage('SNAT: option "--to-source" must be specified');
  if (chain.builtin) {
    const inOnly = chain.hookMask & ((1 << Hook.PREROUTING) | (1 << Hook.INPUT) | (1 << Hook.FORWARD));
    const outOnly = chain.hookMask & ((1 << Hook.OUTPUT) | (1 << Hook.POSTROUTING) | (1 << Hook.FORWARD));
    if ((r.inIf !== '' || r.inWild) && !inOnly) throw usage(`Can't use -i with ${chain.name}`);
    if ((r.outIf !== '' || r.outWild) && !outOnly) throw usage(`Can't use -o with ${chain.name}`);
  }
  r.spec = ruleSpecText(r);
  compileRule(r);
  return r;
}

function getChain(t: Table, name: string | undefined): Chain {
  const c = name === undefined ? undefined : t.get(name);
  if (!c) throw ENOENT();
  return c;
}

/** Apply a tentative change to a chain's rules; roll back if the resulting table is invalid. */
function tryRules(t: Table, c: Chain, next: Rule[]): void {
  const old = c.rules;
  c.rules = next;
  const err = validateTable(t);
  if (err) {
    c.rules = old;
    throw err;
  }
}

function checkChainName(n: string): void {
  if (n.length >= 29) throw usage(`chain name \`${n}' too long (must be under 29 chars)`);
  if (n.startsWith('-') || n.startsWith('!')) throw usage(`chain name not allowed to start with \`${n[0]}'`);
  if (BUILTIN_TARGETS[n] !== undefined || KNOWN_UNSUPPORTED.has(n)) throw usage('chain name may not clash with target name');
}

function execute(nf: Netfilter, P: Parsed): string {
  const t = nf.table(P.table)!;
  t.touched = true;
  const ruleCmds = new Set<Cmd>(['A', 'I', 'D', 'R', 'C']);
  if (P.ruleOpt !== null && !ruleCmds.has(P.cmd!)) throw usage(`Illegal option \`${P.ruleOpt}' with this command`);
  if ((P.lineNumbers || P.exact) && P.cmd !== 'L') {
    throw usage(`Illegal option \`${P.lineNumbers ? '--line-numbers' : '-x'}' with this command`);
  }
  switch (P.cmd!) {
    case 'A':
    case 'I':
    case 'R':
    case 'C':
    case 'D': {
      const c = getChain(t, P.chain);
      if (P.cmd === 'D' && P.rulenum !== undefined) {
        if (P.ruleOpt !== null) throw usage(`Illegal option \`${P.ruleOpt}' with this command`);
        if (P.rulenum > c.rules.length) throw lib('Index of deletion too big');
        tryRules(t, c, c.rules.filter((_, k) => k !== P.rulenum! - 1));
        return '';
      }
      const r = finishRule(P, t, c);
      if (P.cmd === 'D' || P.cmd === 'C') {
        const k = c.rules.findIndex((x) => x.spec === r.spec);
        if (k < 0) throw lib('Bad rule (does a matching rule exist in that chain?)');
        if (P.cmd === 'D') tryRules(t, c, c.rules.filter((_, j) => j !== k));
        return '';
      }
      if (P.cmd === 'A') tryRules(t, c, [...c.rules, r]);
      else if (P.cmd === 'I') {
        const n = P.rulenum ?? 1;
        if (n > c.rules.length + 1) throw lib('Index of insertion too big');
        tryRules(t, c, [...c.rules.slice(0, n - 1), r, ...c.rules.slice(n - 1)]);
      } else {
        const n = P.rulenum!;
        if (n > c.rules.length) throw lib('Index of replacement too big');
        tryRules(t, c, c.rules.map((x, j) => (j === n - 1 ? r : x)));
      }
      return '';
    }
    case 'F': {
      if (P.chain !== undefined) getChain(t, P.chain).rules = [];
      else for (const c of t.chains.values()) c.rules = [];
      return '';
    }
    case 'Z': {
      const chains = P.chain !== undefined ? [getChain(t, P.chain)] : [...t.chains.values()];
      if (P.rulenum !== undefined) {
        const r = chains[0]!.rules[P.rulenum - 1];
        if (!r) throw lib('Index of counter too big');
        r.pkts = r.bytes = 0;
        return '';
      }
      for (const c of chains) {
        c.pkts = c.bytes = 0;
        for (const r of c.rules) r.pkts = r.bytes = 0;
      }
      return '';
    }
    case 'N': {
      checkChainName(P.chain!);
      if (t.get(P.chain!)) throw lib('Chain already exists');
      t.chains.set(P.chain!, new Chain(P.chain!, false));
      return '';
    }
    case 'X': {
      const victims = P.chain !== undefined ? [getChain(t, P.chain)] : [...t.chains.values()].filter((c) => !c.builtin);
      for (const c of victims) {
        if (c.builtin) throw EINVAL();
        if (c.rules.length > 0) throw lib('Directory not empty');
        const refs = P.chain !== undefined ? chainRefs(t, c) : [...t.chains.values()].filter((x) => x.builtin).reduce((n, x) => n + x.rules.filter((r) => r.jump === c).length, 0);
        if (refs > 0) throw lib('Too many links');
      }
      for (const c of victims) t.chains.delete(c.name);
      return '';
    }
    case 'P': {
      const c = t.get(P.chain!);
      if (!c || !c.builtin) throw lib('Bad built-in chain name');
      if (P.arg2 !== 'ACCEPT' && P.arg2 !== 'DROP') throw new CliError(1, "iptables: Bad policy name. Run `dmesg' for more information.\n");
      c.policy = P.arg2;
      return '';
    }
    case 'E': {
      const c = getChain(t, P.chain);
      if (c.builtin) throw EINVAL();
      checkChainName(P.arg2!);
      if (t.get(P.arg2!)) throw lib('File exists');
      t.chains.delete(c.name);
      c.name = P.arg2!;
      t.chains.set(c.name, c);
      for (const ch of t.chains.values()) {
        for (const r of ch.rules) {
          if (r.jump === c) {
            r.targetName = c.name;
            r.spec = ruleSpecText(r);
          }
        }
      }
      return '';
    }
    case 'L': {
      const chains = P.chain !== undefined ? [getChain(t, P.chain)] : t.ordered();
      if (P.rulenum !== undefined) throw usage('-L with a rule number is not supported');
      return listChains(t, chains, { numeric: P.numeric, verbose: P.verbose, exact: P.exact, lineNumbers: P.lineNumbers });
    }
    case 'S': {
      const chains = P.chain !== undefined ? [getChain(t, P.chain)] : t.ordered();
      if (P.rulenum !== undefined && P.rulenum > chains[0]!.rules.length) throw lib('Index of counter too big');
      return listRules(t, chains, P.verbose, P.rulenum);
    }
  }
  return '';
}

/** Run one iptables command line (argv without the leading "iptables"). */
export function iptablesCommand(nf: Netfilter, argv: readonly string[]): CommandResult {
  if (argv.length === 1 && (argv[0] === '-V' || argv[0] === '--version')) {
    return { exitCode: 0, stdout: 'iptables v1.8.9 (legacy)\n', stderr: '' };
  }
  try {
    const P = parseArgs(argv);
    const stdout = execute(nf, P);
    nf.rulesChanged();
    return { exitCode: 0, stdout, stderr: '' };
  } catch (e) {
    if (e instanceof CliError) return { exitCode: e.exitCode, stdout: '', stderr: e.text };
    throw e;
  }
}

/** Split a command line on blanks (no quoting needed for iptables syntax) and run it. */
export function iptables(nf: Netfilter, line: string): CommandResult {
  const argv = line.trim().split(/\s+/).filter((w) => w !== '');
  if (argv[0] === 'iptables') argv.shift();
  return iptablesCommand(nf, argv);
}
