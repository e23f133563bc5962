/** SNMP-style counters of one namespace, as `netstat -s` / /proc/net/snmp name them. */
export interface IpStats {
  InReceives: number;
  InHdrErrors: number;
  InCsumErrors: number;
  InTruncatedPkts: number;
  InAddrErrors: number;
  InUnknownProtos: number;
  InDiscards: number;
  InDelivers: number;
  ForwDatagrams: number;
  OutRequests: number;
  OutNoRoutes: number;
  OutDiscards: number;
  ReasmReqds: number;
  ReasmOKs: number;
  ReasmFails: number;
  ReasmTimeout: number;
  FragOKs: number;
  FragCreates: number;
  FragFails: number;
  /** Frames addressed to another host's MAC (PACKET_OTHERHOST), dropped silently. */
  OtherHost: number;
  /** Malformed ARP. */
  ArpErrors: number;
  /** Frames of an EtherType nobody handles. */
  UnknownEtherType: number;
  /** Packets dropped by netfilter. */
  NfDrops: number;
}

export interface IcmpStats {
  InMsgs: number;
  InErrors: number;
  InCsumErrors: number;
  InDestUnreachs: number;
  InTimeExcds: number;
  InEchos: number;
  InEchoReps: number;
  OutMsgs: number;
  OutDestUnreachs: number;
  OutTimeExcds: number;
  OutEchos: number;
  OutEchoReps: number;
}

export function newIpStats(): IpStats {
  return {
    InReceives: 0, InHdrErrors: 0, InCsumErrors: 0, InTruncatedPkts: 0, InAddrErrors: 0, InUnknownProtos: 0,
    InDiscards: 0, InDelivers: 0, ForwDatagrams: 0, OutRequests: 0, OutNoRoutes: 0, OutDiscards: 0,
    ReasmReqds: 0, ReasmOKs: 0, ReasmFails: 0, ReasmTimeout: 0, FragOKs: 0, FragCreates: 0, FragFails: 0, OtherHost: 0, ArpErrors: 0, UnknownEtherType: 0, NfDrops: 0,
  };
}

export function newIcmpStats(): IcmpStats {
  return {
    InMsgs: 0, InErrors: 0, InCsumErrors: 0, InDestUnreachs: 0, InTimeExcds: 0, InEchos: 0, InEchoReps: 0,
    OutMsgs: 0, OutDestUnreachs: 0, OutTimeExcds: 0, OutEchos: 0, OutEchoReps: 0,
  };
}
