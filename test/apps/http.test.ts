import { afterEach, describe, expect, it } from 'vitest';
import { Engine } from '../../src/index.js';
import { NGINX_WELCOME } from '../../src/apps/nginx.js';

let engine: Engine;
afterEach(async () => engine?.close());

async function withNginx(clientImage: string, network?: string): Promise<Engine> {
  engine = await Engine.create();
  const net = network ? ` --network ${network}` : '';
  if (network) await engine.docker(`network create ${network}`);
  await engine.docker(`run -d --name web${net} nginx`);
  await engine.docker(`run -dit --name cli${net} ${clientImage}`);
  return engine;
}

describe('curl (GNU images)', () => {
  it('GETs the nginx welcome page by IP', async () => {
    const e = await withNginx('ubuntu');
    const r = await e.container('cli').exec('curl -s 172.17.0.2');
    expect(r).toEqual({ exitCode: 0, stdout: NGINX_WELCOME, stderr: '' });
    expect(Buffer.byteLength(NGINX_WELCOME)).toBe(615);
  });

  it('GETs by container name on a user-defined network, with Host and User-Agent in the access log', async () => {
    const e = await withNginx('ubuntu', 'webnet');
    const r = await e.container('cli').exec('curl -s http://web/');
    expect(r.stdout).toBe(NGINX_WELCOME);
    const logs = (await e.docker('logs web')).stdout;
    expect(logs).toMatch(/^\/docker-entrypoint\.sh: \/docker-entrypoint\.d\/ is not empty, will attempt to perform configuration\n/);
    expect(logs).toContain('/docker-entrypoint.sh: Configuration complete; ready for start up\n');
    expect(logs).toMatch(/\n172\.18\.0\.3 - - \[\d\d\/\w{3}\/\d{4}:\d\d:\d\d:\d\d \+0000\] "GET \/ HTTP\/1\.1" 200 615 "-" "curl\/8\.5\.0" "-"\n$/);
  });

  it('-I sends HEAD and prints nginx headers', async () => {
    const e = await withNginx('debian');
    const r = await e.container('cli').exec('curl -sI 172.17.0.2');
    expect(r.exitCode).toBe(0);
    expect(r.stdout).toMatch(/^HTTP\/1\.1 200 OK\r\nServer: nginx\/1\.27\.3\r\nDate: \w{3}, \d\d \w{3} \d{4} \d\d:\d\d:\d\d GMT\r\nContent-Type: text\/html\r\nContent-Length: 615\r\nLast-Modified: Tue, 26 Nov 2024 15:55:00 GMT\r\nConnection: keep-alive\r\nETag: "6745ef54-267"\r\nAccept-Ranges: bytes\r\n\r\n$/);
    const logs = (await e.docker('logs web')).stdout;
    expect(logs).toMatch(/"HEAD \/ HTTP\/1\.1" 200 0 "-" "curl\/7\.88\.1" "-"\n$/);
  });

  it('404 page, -i, -f, -o and -v', async () => {
    const e = await withNginx('ubuntu');
    const c = e.container('cli');
    const nf = await c.exec('curl -si 172.17.0.2/nope');
    expect(nf.stdout).toMatch(/^HTTP\/1\.1 404 Not Found\r\n/);
    expect(nf.stdout).toMatch(/\r\n\r\n<html>\r\n<head><title>404 Not Found<\/title><\/head>\r\n<body>\r\n<center><h1>404 Not Found<\/h1><\/center>\r\n<hr><center>nginx\/1\.27\.3<\/center>\r\n<\/body>\r\n<\/html>\r\n$/);
    expect(nf.exitCode).toBe(0);
    expect(await c.exec('curl -sf 172.17.0.2/nope')).toEqual({ exitCode: 22, stdout: '', stderr: '' });
    expect(await c.exec('curl -sSf 172.17.0.2/nope')).toEqual({ exitCode: 22, stdout: '', stderr: 'curl: (22) The requested URL returned error: 404\n' });
    expect(await c.exec('curl -s -o /tmp/page 172.17.0.2')).toEqual({ exitCode: 0, stdout: '', stderr: '' });
    expect(await c.exec('cat /tmp/page')).toEqual({ exitCode: 0, stdout: NGINX_WELCOME, stderr: '' });
    const v = await c.exec('curl -v 172.17.0.2');
    expect(v.stderr).toMatch(/^\* {3}Trying 172\.17\.0\.2:80\.\.\.\n\* Connected to 172\.17\.0\.2 \(172\.17\.0\.2\) port 80\n> GET \/ HTTP\/1\.1\n> Host: 172\.17\.0\.2\n> User-Agent: curl\/8\.5\.0\n> Accept: \*\/\*\n> \n< HTTP\/1\.1 200 OK\n< Server: nginx\/1\.27\.3\n/);
    expect(v.stderr).toMatch(/< Accept-Ranges: bytes\n< \n\* Connection #0 to host 172\.17\.0\.2 left intact\n$/);
  });

  it('shows the progress meter when the body does not go to a terminal', async () => {
    const e = await withNginx('ubuntu');
    const r = await e.container('cli').exec('curl 172.17.0.2');
    expect(r.stdout).toBe(NGINX_WELCOME);
    expect(r.stderr).toMatch(/^ {2}% Total {4}% Received % Xferd {2}Average Speed {3}Time {4}Time {5}Time {2}Current\n {33}Dload {2}Upload {3}Total {3}Spent {4}Left {2}Speed\n\r {2}0 {5}0 {4}0 {5}0 {4}0 {5}0 {6}0 {6}0 --:--:-- --:--:-- --:--:-- {5}0\r100 {3}615 {2}100 {3}615 {4}0 {5}0 {2}.{5} {6}0 --:--:-- --:--:-- --:--:-- .{5}\n$/);
    const tty = await e.container('cli').exec('curl 172.17.0.2', { tty: true });
    expect(tty.stderr).toBe('');
  });

  it('refused, unresolvable and unreachable: curl 7.88-8.8 texts and exit codes', async () => {
    const e = await withNginx('ubuntu');
    const c = e.container('cli');
    expect(await c.exec('curl -s 172.17.0.2:8080')).toEqual({ exitCode: 7, stdout: '', stderr: '' });
    expect(await c.exec('curl -sS 172.17.0.2:8080')).toEqual({ exitCode: 7, stdout: '', stderr: "curl: (7) Failed to connect to 172.17.0.2 port 8080 after 0 ms: Couldn't connect to server\n" });
    expect(await c.exec('curl -sS foo')).toEqual({ exitCode: 6, stdout: '', stderr: 'curl: (6) Could not resolve host: foo\n' });
    // no DNS for names on the default bridge
    expect(await c.exec('curl -sS web')).toEqual({ exitCode: 6, stdout: '', stderr: 'curl: (6) Could not resolve host: web\n' });
    const meter = await c.exec('curl 172.17.0.2:8080');
    expect(meter.exitCode).toBe(7);
    expect(meter.stderr).toMatch(/--:--:-- {5}0\ncurl: \(7\) Failed to connect to 172\.17\.0\.2 port 8080 after 0 ms: Couldn't connect to server\n$/);
    const to = await c.exec('curl -sS --connect-timeout 2 172.17.0.77');
    expect(to.exitCode).toBe(28);
    expect(to.stderr).toMatch(/^curl: \(28\) (Connection timed out after 2\d\d\d milliseconds|Failed to connect to 172\.17\.0\.77 port 80 after \d+ ms: Couldn't connect to server)\n$/);
  });

  it('connecting to 0.0.0.0 reaches the local host, as on Linux', async () => {
    const e = await withNginx('ubuntu');
    expect((await e.container('web').exec('curl -s 0.0.0.0')).stdout).toBe(NGINX_WELCOME);
    expect((await e.container('web').exec('curl -s localhost/index.html')).stdout).toBe(NGINX_WELCOME);
    const logs = (await e.docker('logs web')).stdout;
    expect(logs).toMatch(/\n127\.0\.0\.1 - - \[.*\] "GET \/ HTTP\/1\.1" 200 615 "-" "curl\/7\.88\.1" "-"\n/);
  });

  it('a second nginx on the host network cannot bind :80; -o /dev/null -w %{http_code}', async () => {
    engine = await Engine.create();
    const e = engine;
    await e.docker('run -d --name w1 --network host nginx');
    await e.docker('run -d --name w2 --network host nginx');
    await e.clock.run(e.clock.sleep(10));
    const logs = await e.docker('logs w2');
    expect(logs.stderr).toContain('nginx: [emerg] bind() to 0.0.0.0:80 failed (98: Address already in use)\n');
    expect(logs.stderr).toMatch(/nginx: \[emerg\] still could not bind\(\)\n$/);
    expect((await e.docker('ps -a')).stdout).toMatch(/Exited \(1\).* w2\n/);
    expect(await e.host.exec('curl -s -o /dev/null -w "%{http_code}\\n" localhost')).toEqual({ exitCode: 0, stdout: '200\n', stderr: '' });
    expect(await e.host.exec('telnet localhost http')).toMatchObject({ exitCode: 1, stdout: "Trying 127.0.0.1...\nConnected to localhost.\nEscape character is '^]'.\nConnection closed by foreign host.\n" });
  });

  it('is not installed in alpine', async () => {
    const e = await withNginx('alpine');
    expect(await e.container('cli').exec('curl -s 172.17.0.2')).toEqual({ exitCode: 127, stdout: '', stderr: 'sh: curl: not found\n' });
  });
});

describe('busybox wget', () => {
  it('saves index.html with busybox 1.36 progress text, refuses to overwrite', async () => {
    const e = await withNginx('busybox');
    const c = e.container('cli');
    const r = await c.exec('wget 172.17.0.2');
    expect(r).toEqual({
      exitCode: 0,
      stdout: '',
      stderr: "Connecting to 172.17.0.2 (172.17.0.2:80)\nsaving to 'index.html'\nindex.html           100% |********************************|   615  0:00:00 ETA\n'index.html' saved\n",
    });
    expect((await c.exec('cat index.html')).stdout).toBe(NGINX_WELCOME);
    expect(await c.exec('wget 172.17.0.2')).toEqual({ exitCode: 1, stdout: '', stderr: "Connecting to 172.17.0.2 (172.17.0.2:80)\nwget: can't open 'index.html': File exists\n" });
    expect(await c.exec('wget -qO- 172.17.0.2')).toEqual({ exitCode: 0, stdout: NGINX_WELCOME, stderr: '' });
  });

  it('by name on a user network; errors: 404, refused, bad address', async () => {
    const e = await withNginx('alpine', 'webnet');
    const c = e.container('cli');
    expect((await c.exec('wget -qO- http://web/')).stdout).toBe(NGINX_WELCOME);
    expect(await c.exec('wget -qO- web/missing')).toEqual({ exitCode: 1, stdout: '', stderr: 'wget: server returned error: HTTP/1.1 404 Not Found\n' });
    expect(await c.exec('wget -O- web:81')).toEqual({ exitCode: 1, stdout: '', stderr: "Connecting to web (172.18.0.2:81)\nwget: can't connect to remote host (172.18.0.2): Connection refused\n" });
    expect(await c.exec('wget -q foo')).toEqual({ exitCode: 1, stdout: '', stderr: "wget: bad address 'foo'\n" });
    expect(await c.exec('wget -q --spider web')).toEqual({ exitCode: 0, stdout: '', stderr: '' });
  });
});

describe('elasticsearch (seed 001)', () => {
  it('curl es:9200 on a user network prints the 6.3.2 banner, pretty-printed', async () => {
    engine = await Engine.create();
    const e = engine;
    await e.docker('network create foodtrucks-net');
    await e.docker('run -d --name es --net foodtrucks-net -e discovery.type=single-node docker.elastic.co/elasticsearch/elasticsearch:6.3.2');
    await e.docker('run -dit --name web --net foodtrucks-net ubuntu');
    const r = await e.container('web').exec('curl -s es:9200');
    expect(r.exitCode).toBe(0);
    expect(r.stdout).toMatch(/^\{\n {2}"name" : "[A-Za-z0-9_-]{7}",\n {2}"cluster_name" : "docker-cluster",\n {2}"cluster_uuid" : "[A-Za-z0-9_-]{22}",\n {2}"version" : \{\n {4}"number" : "6\.3\.2",\n/);
    expect(r.stdout).toContain('    "build_hash" : "053779d",\n    "build_date" : "2018-07-20T05:20:23.451332Z",\n    "build_snapshot" : false,\n    "lucene_version" : "7.3.1",\n');
    expect(r.stdout).toMatch(/ {2}\},\n {2}"tagline" : "You Know, for Search"\n\}\n$/);
    const h = await e.container('web').exec('curl -sI es:9200');
    expect(h.stdout).toMatch(/^HTTP\/1\.1 200 OK\r\ncontent-type: application\/json; charset=UTF-8\r\ncontent-length: \d+\r\n\r\n$/);
    // the transport port accepts too
    expect((await e.container('web').exec('nc -z es 9300')).exitCode).toBe(0);
  });

  it('by IP on the default bridge', async () => {
    engine = await Engine.create();
    const e = engine;
    await e.docker('run -d --name es elasticsearch');
    await e.docker('run -dit --name web ubuntu');
    expect((await e.container('web').exec('curl -s 172.17.0.2:9200')).stdout).toContain('"tagline" : "You Know, for Search"');
    expect((await e.container('web').exec('curl -s es:9200')).exitCode).toBe(6);
  });
});

describe('HTTP framing against a hand-written server (nc)', () => {
  async function serve(response: string): Promise<{ e: Engine; done: Promise<{ stdout: string }> }> {
    engine = await Engine.create();
    const e = engine;
    await e.docker('run -dit --name srv busybox');
    await e.docker('run -dit --name cli ubuntu');
    const s = e.container('srv').spawn('nc -l -p 8080');
    s.stdin.write(response);
    s.stdin.end();
    return { e, done: s.done };
  }

  it('chunked bodies are decoded; the request carries Host with the port', async () => {
    const { e, done } = await serve('HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nContent-Type: text/plain\r\n\r\n6\r\nhello \r\n6;ext=1\r\nworld\n\r\n0\r\nX-Trailer: 1\r\n\r\n');
    const r = await e.container('cli').exec('curl -s -w "%{http_code} %{size_download}\\n" http://172.17.0.2:8080/x?y=1');
    expect(r).toEqual({ exitCode: 0, stdout: 'hello world\n200 12\n', stderr: '' });
    const req = (await e.clock.run(done)).stdout;
    expect(req).toBe('GET /x?y=1 HTTP/1.1\r\nHost: 172.17.0.2:8080\r\nUser-Agent: curl/8.5.0\r\nAccept: */*\r\n\r\n');
  });

  it('close-delimited bodies end at EOF', async () => {
    const { e } = await serve('HTTP/1.0 200 OK\r\nContent-Type: text/plain\r\n\r\nuntil the end');
    expect((await e.container('cli').exec('curl -s 172.17.0.2:8080')).stdout).toBe('until the end');
  });

  it('a short Content-Length body is exit 18; an empty reply is 52; no status line is HTTP/0.9', async () => {
    const a = await serve('HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nabc');
    expect(await a.e.container('cli').exec('curl -sS 172.17.0.2:8080')).toEqual({ exitCode: 18, stdout: 'abc', stderr: 'curl: (18) transfer closed with 7 bytes remaining to read\n' });
    await engine.close();
    const b = await serve('');
    expect(await b.e.container('cli').exec('curl -sS -w "%{http_code}" 172.17.0.2:8080')).toEqual({ exitCode: 52, stdout: '000', stderr: 'curl: (52) Empty reply from server\n' });
    await engine.close();
    const c = await serve('hello\n');
    expect(await c.e.container('cli').exec('curl -sS 172.17.0.2:8080')).toEqual({ exitCode: 1, stdout: '', stderr: 'curl: (1) Received HTTP/0.9 when not allowed\n' });
  });
});

describe('GNU wget', () => {
  it('prints the dot progress and saves index.html, then index.html.1', async () => {
    const e = await withNginx('ubuntu');
    const r = await e.container('cli').exec('wget 172.17.0.2');
    expect(r.exitCode).toBe(0);
    expect(r.stderr).toMatch(/^--\d{4}-\d\d-\d\d \d\d:\d\d:\d\d--  http:\/\/172\.17\.0\.2\/\nConnecting to 172\.17\.0\.2:80\.\.\. connected\.\nHTTP request sent, awaiting response\.\.\. 200 OK\nLength: 615 \[text\/html\]\nSaving to: 'index\.html'\n\n {5}0K {55}100% [\d.]+[KMG ]=0s\n\n\d{4}-\d\d-\d\d \d\d:\d\d:\d\d \([\d.]+ [KMG]?B\/s\) - 'index\.html' saved \[615\/615\]\n\n$/);
    expect((await e.container('cli').exec('wget -q 172.17.0.2')).exitCode).toBe(0);
    expect((await e.container('cli').exec('cat index.html.1')).stdout).toBe(NGINX_WELCOME);
    const nf = await e.container('cli').exec('wget 172.17.0.2/nope');
    expect(nf.exitCode).toBe(8);
    expect(nf.stderr).toMatch(/HTTP request sent, awaiting response\.\.\. 404 Not Found\n\d{4}-\d\d-\d\d \d\d:\d\d:\d\d ERROR 404: Not Found\.\n\n$/);
    expect(await e.container('cli').exec('wget -q nosuch')).toEqual({ exitCode: 4, stdout: '', stderr: "wget: unable to resolve host address 'nosuch'\n" });
  });
});
