// The capability to stream bytes into a command on the target: what a file push needs beyond running commands.
import type { ClientChannel } from 'ssh2';
import type { WaitLimits } from '../core/wait.ts';

/**
 * A raw exec channel: the caller writes the command's stdin (with its backpressure) and reads its output. The command's
 * exit status also arrives in-band on stderr, as for every exec (guest/ssh-exec.ts), since the channel's own may be lost.
 */
export type StreamChannel = ClientChannel;

export interface FileStreams {
  /** Opens a channel running `command`, raced against the limits and the target's death. */
  openStream(command: string, limits?: WaitLimits): Promise<StreamChannel>;
}
