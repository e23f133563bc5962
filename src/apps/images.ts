import type { Flavour } from './process.js';

/**
 * What vnet ships as images: the userland flavour, the shell, the default command, and
 * exposed ports. Servers (nginx, redis, elasticsearch) are programs run as the default command.
 */
export interface Image {
  name: string;
  flavour: Flavour;
  shell: 'sh' | 'bash';
  cmd: string[];
  /** EXPOSE in the Dockerfile, e.g. ['80/tcp']. */
  exposed: string[];
  /** Docker shows it in `docker ps` COMMAND. */
  displayCmd: string;
  workdir?: string;
}

const IMAGES: Image[] = [
  { name: 'busybox', flavour: 'busybox', shell: 'sh', cmd: ['sh'], exposed: [], displayCmd: '"sh"' },
  { name: 'alpine', flavour: 'busybox', shell: 'sh', cmd: ['/bin/sh'], exposed: [], displayCmd: '"/bin/sh"' },
  { name: 'ubuntu', flavour: 'gnu', shell: 'bash', cmd: ['/bin/bash'], exposed: [], displayCmd: '"/bin/bash"' },
  { name: 'debian', flavour: 'gnu', shell: 'bash', cmd: ['bash'], exposed: [], displayCmd: '"bash"' },
  { name: 'nginx', flavour: 'gnu', shell: 'bash', cmd: ['nginx', '-g', 'daemon off;'], exposed: ['80/tcp'], displayCmd: '"/docker-entrypoint.…"' },
  { name: 'redis', flavour: 'gnu', shell: 'bash', cmd: ['redis-server'], exposed: ['6379/tcp'], displayCmd: '"docker-entrypoint.s…"' },
  { name: 'elasticsearch', flavour: 'gnu', shell: 'bash', cmd: ['elasticsearch'], exposed: ['9200/tcp', '9300/tcp'], displayCmd: '"/usr/local/bin/dock…"' },
];

/** Aliases: the images the seeds use, mapped to what vnet ships. */
const ALIASES: Record<string, string> = {
  'docker.elastic.co/elasticsearch/elasticsearch': 'elasticsearch',
};

/** Parse "repo[:tag]" (with registry prefixes) and find the image; null if vnet has none. */
export function findImage(ref: string): Image | null {
  let repo = ref;
  const at = repo.indexOf('@');
  if (at >= 0) repo = repo.slice(0, at);
  const lastColon = repo.lastIndexOf(':');
  if (lastColon > repo.lastIndexOf('/')) repo = repo.slice(0, lastColon);
  repo = ALIASES[repo] ?? repo;
  repo = repo.replace(/^docker\.io\//, '').replace(/^library\//, '');
  return IMAGES.find((i) => i.name === repo) ?? null;
}

export function imageNames(): string[] {
  return IMAGES.map((i) => i.name);
}

/** Register extra images (e.g. the seeds' app images, shipped by fixtures). */
export function registerImage(img: Image, ...aliases: string[]): void {
  IMAGES.push(img);
  for (const a of aliases) ALIASES[a] = img.name;
}
