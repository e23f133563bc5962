/** `npm run bench [name...]`: runs the benchmarks, prints tables, writes results/*.json. */
const all: Record<string, () => Promise<unknown>> = {
  checksum: async () => (await import('./checksum.js')).run(),
  bridge: async () => (await import('./bridge.js')).run(),
  dns: async () => (await import('./dns.js')).run(),
  udp: async () => (await import('./udp.js')).run(),
  forward: async () => (await import('./forward.js')).run(),
  tcp: async () => (await import('./tcp.js')).run(),
};

const want = process.argv.slice(2);
for (const name of want.length ? want : Object.keys(all)) {
  const b = all[name];
  if (!b) {
    console.error(`unknown benchmark: ${name} (have: ${Object.keys(all).join(', ')})`);
    process.exit(2);
  }
  await b();
}
