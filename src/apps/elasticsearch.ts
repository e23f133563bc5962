/**
 * `elasticsearch` as docker.elastic.co/elasticsearch/elasticsearch:6.3.2 (seed 001): HTTP on
 * :9200 answering `/` with the banner JSON (pretty-printed the way ES's Jackson printer does,
 * `"key" : value`), `/_cluster/health`, and ES-shaped 404s; :9300 (transport) accepts and
 * ignores. The node name is the first 7 characters of the random node ID, as in 6.x.
 */
import { Buffer } from 'node:buffer';
import { ipToString } from '../wire/addr.js';
import { p2, serveHttp, type HttpRequest, type HttpResponse } from './http-wire.js';
import type { Proc } from './process.js';
import { serveTcp } from './sock.js';

const B64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';

/** Jackson's default pretty printer: two-space indent and ` : ` between name and value. */
export function esPretty(v: unknown): string {
  return JSON.stringify(v, null, 2).replace(/^(\s*"(?:[^"\\]|\\.)*"): /gm, '$1 : ') + '\n';
}

function logTime(ms: number): string {
  const d = new Date(ms);
  return `${d.getUTCFullYear()}-${p2(d.getUTCMonth() + 1)}-${p2(d.getUTCDate())}T${p2(d.getUTCHours())}:${p2(d.getUTCMinutes())}:${p2(d.getUTCSeconds())},${String(d.getUTCMilliseconds()).padStart(3, '0')}`;
}

export async function elasticsearch(p: Proc): Promise<number> {
  const clock = p.sys.clock;
  const rnd = (n: number): string => {
    let s = '';
    for (let i = 0; i < n; i++) s += B64[p.sys.prng.int(0, 63)];
    return s;
  };
  const nodeId = rnd(22);
  const name = nodeId.slice(0, 7);
  const clusterName = p.env['cluster.name'] ?? 'docker-cluster';
  const banner = {
    name,
    cluster_name: clusterName,
    cluster_uuid: rnd(22),
    version: {
      number: '6.3.2',
      build_flavor: 'default',
      build_type: 'tar',
      build_hash: '053779d',
      build_date: '2018-07-20T05:20:23.451332Z',
      build_snapshot: false,
      lucene_version: '7.3.1',
      minimum_wire_compatibility_version: '5.6.0',
      minimum_index_compatibility_version: '5.0.0',
    },
    tagline: 'You Know, for Search',
  };
  const log = (level: string, who: string, msg: string): void =>
    p.stdout.write(`[${logTime(clock.epochMs())}][${level.padEnd(5)}][${who.padEnd(25)}] [${name}] ${msg}\n`);
  log('INFO', 'o.e.n.Node', 'initializing ...');
  log('INFO', 'o.e.n.Node', `node name derived from node ID [${nodeId}]; set [node.name] to override`);
  log('INFO', 'o.e.n.Node', 'version[6.3.2], pid[1], build[default/tar/053779d/2018-07-20T05:20:23.451332Z], OS[Linux/6.8.0/amd64], JVM["Oracle Corporation"/OpenJDK 64-Bit Server VM/10.0.2/10.0.2+13]');

  const json = (status: number, reason: string, body: unknown): HttpResponse => {
    const b = Buffer.from(esPretty(body));
    return { status, reason, headers: [['content-type', 'application/json; charset=UTF-8'], ['content-length', String(b.length)]], body: b };
  };
  const handle = (req: HttpRequest): HttpResponse => {
    const path = req.target.split('?')[0]!.replace(/\/+$/, '') || '/';
    if (path === '/' && (req.method === 'GET' || req.method === 'HEAD')) return json(200, 'OK', banner);
    if (path === '/_cluster/health') {
      return json(200, 'OK', { cluster_name: clusterName, status: 'green', timed_out: false, number_of_nodes: 1, number_of_data_nodes: 1, active_primary_shards: 0, active_shards: 0, relocating_shards: 0, initializing_shards: 0, unassigned_shards: 0, delayed_unassigned_shards: 0, number_of_pending_tasks: 0, number_of_in_flight_fetch: 0, task_max_waiting_in_queue_millis: 0, active_shards_percent_as_number: 100.0 });
    }
    const index = path.split('/')[1] ?? '';
    if (index.startsWith('_')) {
      return json(400, 'Bad Request', { error: { root_cause: [{ type: 'illegal_argument_exception', reason: `request [${path}] contains unrecognized parameter` }], type: 'illegal_argument_exception', reason: `request [${path}] contains unrecognized parameter` }, status: 400 });
    }
    const e = { type: 'index_not_found_exception', reason: 'no such index', 'resource.type': 'index_or_alias', 'resource.id': index, index_uuid: '_na_', index };
    return json(404, 'Not Found', { error: { root_cause: [e], ...e }, status: 404 });
  };

  // transport port: accept and hold (no cluster peers to talk to)
  const transport = serveTcp(p, 9300, () => {});
  const rc = await serveHttp(p, 9200, handle, () => {
    log('INFO', 'o.e.t.TransportService', `publish_address {${primaryIp(p)}:9300}, bound_addresses {0.0.0.0:9300}`);
    log('INFO', 'o.e.h.n.Netty4HttpServerTransport', `publish_address {${primaryIp(p)}:9200}, bound_addresses {0.0.0.0:9200}`);
    log('INFO', 'o.e.n.Node', 'started');
  });
  await transport;
  if (rc === 0) {
    log('INFO', 'o.e.n.Node', 'stopping ...');
    log('INFO', 'o.e.n.Node', 'stopped');
    log('INFO', 'o.e.n.Node', 'closing ...');
    log('INFO', 'o.e.n.Node', 'closed');
    // the JVM exits 128+SIGTERM after running its shutdown hooks
    return 143;
  }
  return rc;
}

function primaryIp(p: Proc): string {
  const a = p.sys.ns.addrs.find((x) => x.dev.kind !== 'loopback');
  return a ? ipToString(a.addr) : '127.0.0.1';
}
