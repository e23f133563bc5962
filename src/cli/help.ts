/** Usage texts, in the Docker CLI's layout. */

export const DOCKER_VERBS = ['run', 'create', 'exec', 'attach', 'ps', 'inspect', 'start', 'stop', 'restart', 'kill', 'rm', 'logs', 'port', 'network', 'pull', 'container'];

const LOG_OPTIONS = `      --log-file string    Write logs (JSON lines) to this file
      --log-level string   Set the logging level ("trace"|"debug"|"info"|"warn"|"error"|"fatal"|"silent") (default "warn")`;

/** One-line descriptions, as in the command list and under usage errors. */
export const SHORT: Record<string, string> = {
  play: 'Replay a script of docker and shell commands and print the transcript',
  shell: 'Open an interactive terminal on an emulated Docker host',
  capture: 'Play a script while capturing an interface to a pcap file',
  bench: 'Run the benchmark suite',
  version: 'Show the vnet version information',
};

export const MAIN_HELP = `Usage:  vnet [OPTIONS] COMMAND

A packet-level emulation of Docker networking (containers, bridges, DNS, NAT) without Docker

Commands:
  play        Replay a script of docker and shell commands and print the transcript
  shell       Open an interactive terminal on an emulated Docker host
  capture     Play a script while capturing an interface to a pcap file
  bench       Run the benchmark suite
  version     Show the vnet version information

Docker commands (each runs on a fresh emulated host; use 'vnet shell' or 'vnet play' to keep state):
  ${DOCKER_VERBS.join(', ')}

Global Options:
${LOG_OPTIONS}
  -h, --help               Print usage
  -v, --version            Print version information and quit

Run 'vnet COMMAND --help' for more information on a command.
`;

export const PLAY_HELP = `Usage:  vnet play [OPTIONS] SCRIPT

Replay a script of docker and shell commands against a fresh emulated host and print the
transcript a terminal would show: each command after its prompt, then its output. Time is
virtual unless --real-time: \`sleep 60\` and \`ping -c 100\` take milliseconds. SCRIPT may be -
for standard input.

Script syntax:
  docker network create my_bridge   docker commands go to the emulated Docker engine
  ping -c 1 172.17.0.2              other lines run in bash on the emulated host
  $ ip addr                         a leading "$ " or "user@host:~$ " (as in tutorials) is ignored
  # a comment                       blank lines and comments are not printed
  cmd &                             runs in the background; the script goes on
  docker run ... \\                  a trailing backslash continues the line
  docker stop $(docker ps -q)       $( ) substitution on host lines

  Container shells: after \`docker attach NAME\`, \`docker exec -it NAME sh|bash\` or
  \`docker run -it IMAGE [sh|bash]\`, the following lines are typed into the container's shell
  until \`exit\` (or ^D). \`^P^Q\` detaches and leaves the container running. Such lines may be
  written with the prompt the tutorial shows, which is ignored:
    root@cf2d53fead42:/# ping -c 2 172.17.0.3
    / # hostname

  A foreground command still running after --timeout seconds is interrupted (^C), as you
  would in a terminal (e.g. \`docker run nginx\`).

Options:
      --capture IFACE=FILE   Write a pcap of IFACE (docker0, eth0, br-<id>, CONTAINER:eth0) to FILE;
                             repeatable; starts as soon as the interface exists
      --check FILE           Compare the transcript with FILE (IDs, ping times, dates and durations
                             match by pattern); print a diff and exit 1 on mismatch
      --update               With --check: write the transcript to FILE instead of comparing
      --real-time            Run on the wall clock instead of virtual time
      --seed int             Seed for IDs, MACs and every random choice (default 0)
      --strict               Exit 1 if any line exits non-zero
      --timeout int          Seconds before a foreground command gets ^C (default 30)
${LOG_OPTIONS}
  -h, --help                 Print usage

Exit status: 0 when the script was played (failing lines show their errors, as in a terminal);
1 on a --check mismatch, a failed line under --strict, or a script that can't be read;
125 on bad flags.
`;

export const SHELL_HELP = `Usage:  vnet shell [OPTIONS]

Open an interactive terminal on a fresh emulated Docker host, on the wall clock. Type docker
commands and host commands (ping, ip addr, iptables-save, curl, ...). \`docker attach NAME\` or
\`docker exec -it NAME sh\` enters a container's shell.

Keys:
  Ctrl-C     interrupt the running command
  Ctrl-D     leave the container shell; at the host prompt, quit
  Ctrl-P Ctrl-Q  detach from a container, leaving it running

Options:
      --seed int             Seed for IDs, MACs and every random choice (default 0)
${LOG_OPTIONS}
  -h, --help                 Print usage
`;

export const CAPTURE_HELP = `Usage:  vnet capture [OPTIONS] SCRIPT

Play SCRIPT (as \`vnet play\`) while writing every frame crossing an interface to a pcap file
that Wireshark and tcpdump read. Same as \`vnet play --capture IFACE=FILE SCRIPT\`.

Options:
  -i, --interface string     Interface to capture: docker0, eth0, br-<id>, CONTAINER:eth0 (default "docker0")
  -w, --write string         pcap file to write (required)
      --check FILE           Compare the transcript with FILE, as in vnet play
      --real-time            Run on the wall clock instead of virtual time
      --seed int             Seed for IDs, MACs and every random choice (default 0)
      --strict               Exit 1 if any line exits non-zero
      --timeout int          Seconds before a foreground command gets ^C (default 30)
${LOG_OPTIONS}
  -h, --help                 Print usage
`;

export const BENCH_HELP = `Usage:  vnet bench [ARGS...]

Run the benchmark suite (benchmarks/run.ts, as \`npm run bench\`); ARGS are passed through.
Each benchmark prints a table and writes JSON under benchmarks/results.

Options:
  -h, --help   Print usage
`;

export const VERSION_HELP = `Usage:  vnet version [OPTIONS]

Show the vnet version information

Options:
  -f, --format string   Format output using a custom template:
                        'json':             Print in JSON format
                        'TEMPLATE':         Print output using the given Go template ({{.Version}}, {{json .}})
  -h, --help            Print usage
`;
