import { createServer } from 'node:net';

import { ConfigurationError } from '../errors/configuration.error';

/** The setting behind a listening socket, to name it when the address cannot be taken. */
export interface ListenAddress {
  /** PORT or GRPC_PORT. */
  readonly variable: string;
  readonly host: string;
  readonly port: number;
}

/** Why each listen error is the configuration's fault, as "expected ..." text. */
const LISTEN_PROBLEMS: Readonly<Record<string, (where: string) => string>> = {
  EADDRINUSE: (where) => `a free port: ${where} is already in use by another process`,
  EACCES: (where) => `a port this process may bind: ${where} needs privileges it lacks`,
  EADDRNOTAVAIL: (where) =>
    `a port on an address of this machine: ${where} is not available here (see HOST)`,
};

/**
 * A listen error as a ConfigurationError naming the setting and the
 * address (the process then exits with code 2, like any wrong setting);
 * undefined for errors that are not the configuration's fault.
 */
export function listenProblem(
  error: unknown,
  address: ListenAddress,
): ConfigurationError | undefined {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  const problem = code === undefined ? undefined : LISTEN_PROBLEMS[code];
  if (problem === undefined) {
    return undefined;
  }
  const where = `${address.host}:${address.port}`;
  return new ConfigurationError([
    { variable: address.variable, received: String(address.port), expected: problem(where) },
  ]);
}

/**
 * Takes the address for a moment and lets it go, failing as listen would.
 * For servers whose own bind error hides the cause (grpc-js reports "No
 * address added" and logs it on stderr itself).
 */
export async function checkListenAddress(address: ListenAddress): Promise<void> {
  if (address.port === 0) {
    return;
  }
  const probe = createServer();

  await new Promise<void>((resolve, reject) => {
    probe.once('error', (error) => reject(listenProblem(error, address) ?? error));
    probe.listen({ host: address.host, port: address.port, exclusive: true }, () =>
      probe.close(() => resolve()),
    );
  });
}
