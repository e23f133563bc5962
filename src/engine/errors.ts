/**
 * A daemon error, carrying Docker's message text. The CLI prints it as
 * "Error response from daemon: <message>" (or "docker: … ." for run).
 */
export class DockerError extends Error {
  constructor(
    message: string,
    readonly status: 'notFound' | 'conflict' | 'invalid' | 'forbidden' | 'system' = 'invalid',
    /** The CLI's exit status when `docker run` fails this way (125 unless the command could not run). */
    readonly runExitCode = 125,
  ) {
    super(message);
    this.name = 'DockerError';
  }
}

export const errNoSuchContainer = (ref: string): DockerError => new DockerError(`No such container: ${ref}`, 'notFound');
export const errNetworkNotFound = (ref: string): DockerError => new DockerError(`network ${ref} not found`, 'notFound');
