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
  /** ENTRYPOINT: `docker ps` COMMAND shows entrypoint + cmd. */
  entrypoint?: string[];
  workdir?: string;
}

const IMAGES: Image[] = [
  { name: 'busybox', flavour: 'busybox', shell: 'sh', cmd: ['sh'], exposed: [] },
  { name: 'alpine', flavour: 'busybox', shell: 'sh', cmd: ['/bin/sh'], exposed: [] },
  { name: 'ubuntu', flavour: 'gnu', shell: 'bash', cmd: ['/bin/bash'], exposed: [] },
  { name: 'debian', flavour: 'gnu', shell: 'bash', cmd: ['bash'], exposed: [] },
  { name: 'nginx', flavour: 'gnu', shell: 'bash', cmd: ['nginx', '-g', 'daemon off;'], entrypoint: ['/docker-entrypoint.sh'], exposed: ['80/tcp'] },
  { name: 'redis', flavour: 'gnu', shell: 'bash', cmd: ['redis-server'], entrypoint: ['docker-entrypoint.sh'], exposed: ['6379/tcp'] },
  { name: 'elasticsearch', flavour: 'gnu', shell: 'bash', cmd: ['elasticsearch'], entrypoint: ['/usr/local/bin/docker-entrypoint.sh'], exposed: ['9200/tcp', '9300/tcp'] },
  // seed 000's python:3.4-alpine Flask app, run natively (src/apps/hit-counter.ts)
  { name: 'hit-counter', flavour: 'busybox', shell: 'sh', cmd: ['hit-counter'], exposed: ['5000/tcp'], workdir: '/code' },
];

/** Aliases: the images the seeds use, mapped to what vnet ships. */
const ALIASES: Record<string, string> = {
  'docker.elastic.co/elasticsearch/elasticsearch': 'elasticsearch',
  'a-python-app': 'hit-counter',
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
