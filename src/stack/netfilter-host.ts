import { Netfilter } from '../netfilter/netfilter.js';
import type { NfPacket, RejectKind } from '../netfilter/hook.js';
import { ICMP_DEST_UNREACH } from '../wire/icmp.js';
import { PROTO_TCP, ipDst, ipHlen, ipProto, ipSrc, ipTotalLen } from '../wire/ipv4.js';
import { TCP_ACK, TCP_RST, TCP_SYN, TCP_FIN, encodeTcp, tcpAck, tcpDstPort, tcpFlags, tcpHlen, tcpSeq, tcpSrcPort } from '../wire/tcp.js';
import type { Namespace } from './namespace.js';

const REJECT_CODES: Record<Exclude<RejectKind, 'tcp-reset'>, number> = {
  'icmp-net-unreachable': 0,
  'icmp-host-unreachable': 1,
  'icmp-proto-unreachable': 2,
  'icmp-port-unreachable': 3,
  'icmp-net-prohibited': 9,
  'icmp-host-prohibited': 10,
  'icmp-admin-prohibited': 13,
};

/** Give a namespace its iptables (once): the Netfilter sees the namespace through this host. */
export function attachNetfilter(ns: Namespace): Netfilter {
  if (ns.nf instanceof Netfilter) return ns.nf;
  const nf = new Netfilter({
    now: () => ns.clock.now(),
    isLocalAddress: (a) => ns.isLocalAddress(a),
    interfaceAddress: (name) => ns.interfaceAddress(name),
    reject: (p: NfPacket, kind: RejectKind) => reject(ns, p, kind),
  });
  ns.nf = nf;
  return nf;
}

/** REJECT's answer: an ICMP unreachable, or for tcp-reset a RST as RFC 9293 §3.10.7.1 shapes it. */
function reject(ns: Namespace, p: NfPacket, kind: RejectKind): void {
  const b = p.buf;
  const o = p.off;
  if (kind !== 'tcp-reset') {
    ns.icmpError(b, o, ICMP_DEST_UNREACH, REJECT_CODES[kind]);
    return;
  }
  if (ipProto(b, o) !== PROTO_TCP) return;
  const t = o + ipHlen(b, o);
  const flags = tcpFlags(b, t);
  if (flags & TCP_RST) return;
  const dataLen = ipTotalLen(b, o) - ipHlen(b, o) - tcpHlen(b, t);
  const seg = (flags & TCP_ACK)
    ? { srcPort: tcpDstPort(b, t), dstPort: tcpSrcPort(b, t), seq: tcpAck(b, t), ack: 0, flags: TCP_RST, window: 0 }
    : {
        srcPort: tcpDstPort(b, t), dstPort: tcpSrcPort(b, t), seq: 0,
        ack: (tcpSeq(b, t) + dataLen + (flags & TCP_SYN ? 1 : 0) + (flags & TCP_FIN ? 1 : 0)) >>> 0,
        flags: TCP_RST | TCP_ACK, window: 0,
      };
  const src = ipDst(b, o);
  const dst = ipSrc(b, o);
  ns.ipOutput(PROTO_TCP, src, dst, encodeTcp(src, dst, seg), { df: true });
}
