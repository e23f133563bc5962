import { execFileSync } from 'node:child_process';

/** Whether tshark is installed (CI installs it; suites skip their tshark checks without it). */
export const hasTshark = ((): boolean => {
  try {
    execFileSync('tshark', ['--version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
})();

/** tshark with every checksum check on: the packet count, and the packets that are malformed or erroneous. */
export function tsharkProblems(file: string): { total: number; bad: string } {
  const opts = ['-o', 'ip.check_checksum:TRUE', '-o', 'udp.check_checksum:TRUE', '-o', 'tcp.check_checksum:TRUE'];
  const total = execFileSync('tshark', ['-r', file, ...opts], { encoding: 'utf8' }).trim().split('\n').filter(Boolean).length;
  const bad = execFileSync('tshark', ['-r', file, ...opts, '-Y', '_ws.malformed || _ws.expert.severity == "Error" || ip.checksum.status == "Bad" || icmp.checksum.status == "Bad" || tcp.checksum.status == "Bad" || udp.checksum.status == "Bad"'], { encoding: 'utf8' }).trim();
  return { total, bad };
}
