import { describe, expect, it } from 'vitest';
import {
  TCP_ACK, TCP_SYN, TcpOptions, decodeTcp, encodeTcp, parseTcpOptions, setTcpChecksum, tcpAck,
  tcpChecksumOk, tcpDstPort, tcpFlagString, tcpFlags, tcpHlen, tcpSeq, tcpSrcPort, tcpWindow,
  writeSackOption, writeSynOptions, writeTcpHeader, writeTsOption,
} from '../../src/wire/tcp.js';
import { checksum, pseudoHeaderSum } from '../../src/wire/checksum.js';

const SRC = 0xac110002; // 172.17.0.2
const DST = 0xac110003;

describe('TCP header codec', () => {
  it('round-trips every header field through encode/decode and the accessors', () => {
    const payload = new TextEncoder().encode('hello');
    const seg = encodeTcp(SRC, DST, { srcPort: 43210, dstPort: 80, seq: 0xfffffff0, ack: 123456789, flags: TCP_SYN | TCP_ACK, window: 65160, urg: 7, payload });
    expect(tcpSrcPort(seg, 0)).toBe(43210);
    expect(tcpDstPort(seg, 0)).toBe(80);
    expect(tcpSeq(seg, 0)).toBe(0xfffffff0);
    expect(tcpAck(seg, 0)).toBe(123456789);
    expect(tcpHlen(seg, 0)).toBe(20);
    expect(tcpFlags(seg, 0)).toBe(0x12);
    expect(tcpWindow(seg, 0)).toBe(65160);
    expect(tcpChecksumOk(seg, 0, seg.length, SRC, DST)).toBe(true);
    const d = decodeTcp(seg, 0, seg.length)!;
    expect(d.srcPort).toBe(43210);
    expect(d.urg).toBe(7);
    expect(new TextDecoder().decode(d.payload)).toBe('hello');
    expect(tcpFlagString(d.flags)).toBe('S.');
  });

  it('checksum covers the pseudo-header and detects corruption', () => {
    const seg = encodeTcp(SRC, DST, { srcPort: 1, dstPort: 2, seq: 3, ack: 4, flags: TCP_ACK, window: 5, payload: new Uint8Array([1, 2, 3]) });
    // Independent computation with the generic checksum.
    const copy = seg.slice();
    copy[16] = 0; copy[17] = 0;
    const c = checksum(copy, 0, copy.length, pseudoHeaderSum(SRC, DST, 6, copy.length));
    expect((seg[16]! << 8) | seg[17]!).toBe(c);
    expect(tcpChecksumOk(seg, 0, seg.length, SRC, DST + 1)).toBe(false);
    seg[21]! ^= 0xff;
    expect(tcpChecksumOk(seg, 0, seg.length, SRC, DST)).toBe(false);
  });

  it("writes SYN options in Linux's exact layout", () => {
    const b = new Uint8Array(40);
    const n = writeSynOptions(b, 0, { mss: 1460, sackPerm: true, ts: true, tsVal: 0x11223344, tsEcr: 0, wscale: 7 });
    expect(n).toBe(20);
    expect(Buffer.from(b.subarray(0, n)).toString('hex')).toBe('020405b4' + '0402080a' + '11223344' + '00000000' + '01030307');
    // Without timestamps: MSS, NOP NOP SACK_PERM, NOP WS.
    const m = writeSynOptions(b, 0, { mss: 1460, sackPerm: true, ts: false, tsVal: 0, tsEcr: 0, wscale: 7 });
    expect(Buffer.from(b.subarray(0, m)).toString('hex')).toBe('020405b4' + '01010402' + '01030307');
  });

  it('parses MSS, WS, SACK_PERM, TS and SACK blocks', () => {
    const b = new Uint8Array(60);
    writeTcpHeader(b, 0, 1, 2, 3, 4, 60, TCP_ACK, 100);
    let i = 20;
    i += writeTsOption(b, i, 1000, 2000);
    i += writeSackOption(b, i, [10, 20, 30, 40, 50, 60], 3);
    expect(i).toBe(20 + 12 + 28);
    const o = new TcpOptions();
    expect(parseTcpOptions(b, 0, 60, o)).toBe(true);
    expect(o.hasTs).toBe(true);
    expect(o.tsVal).toBe(1000);
    expect(o.tsEcr).toBe(2000);
    expect(o.sackCount).toBe(3);
    expect(o.sack.slice(0, 6)).toEqual([10, 20, 30, 40, 50, 60]);

    const s = new Uint8Array(40);
    writeTcpHeader(s, 0, 1, 2, 3, 0, 40, TCP_SYN, 64240);
    writeSynOptions(s, 20, { mss: 1400, sackPerm: true, ts: true, tsVal: 5, tsEcr: 0, wscale: 9 });
    expect(parseTcpOptions(s, 0, 40, o)).toBe(true);
    expect([o.mss, o.wscale, o.sackPerm, o.hasTs, o.tsVal]).toEqual([1400, 9, true, true, 5]);
  });

  it('tolerates malformed options without throwing', () => {
    const o = new TcpOptions();
    const cases: number[][] = [
      [2], // truncated kind
      [2, 0, 0, 0], // zero length
      [2, 1, 0, 0], // length 1
      [2, 40, 5, 180], // runs past header
      [8, 10, 1, 2, 3, 4, 5, 6, 7], // TS cut short
      [5, 3, 0, 0], // SACK with bad length
      [3, 4, 14, 0], // WS with wrong length (ignored)
      [99, 2, 1, 0], // unknown, skipped
      [3, 3, 200, 0], // WS shift > 14 → 14
    ];
    for (const opt of cases) {
      const hlen = 20 + ((opt.length + 3) & ~3);
      const b = new Uint8Array(hlen);
      writeTcpHeader(b, 0, 1, 2, 3, 4, hlen, TCP_SYN, 1);
      b.set(opt, 20);
      expect(() => parseTcpOptions(b, 0, hlen, o)).not.toThrow();
    }
    const b = new Uint8Array(24);
    writeTcpHeader(b, 0, 1, 2, 3, 4, 24, TCP_SYN, 1);
    b.set([3, 3, 200, 0], 20);
    parseTcpOptions(b, 0, 24, o);
    expect(o.wscale).toBe(14);
    // A header length beyond the buffer is reported, not thrown.
    expect(parseTcpOptions(b, 0, 60, o)).toBe(false);
    expect(decodeTcp(b, 0, 10)).toBeNull();
  });

  it('setTcpChecksum fills the checksum in place', () => {
    const b = new Uint8Array(20);
    writeTcpHeader(b, 0, 5, 6, 7, 8, 20, TCP_ACK, 9);
    setTcpChecksum(b, 0, 20, SRC, DST);
    expect(tcpChecksumOk(b, 0, 20, SRC, DST)).toBe(true);
  });
});
