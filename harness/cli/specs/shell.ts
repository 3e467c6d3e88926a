// The flags of `pilot shell`, declared once.
import { defineCommand } from '../command-spec.ts';

export const SHELL = defineCommand({
  name: 'shell',
  summary: 'open an ssh session into the machine `pilot run --keep-failed` kept up for a failed run',
  operands: '<run id or its artifacts folder> [-- command…]',
  about: [
    'Reads the keep.json the run wrote (QEMU\'s pid, the SSH port, the key), checks the machine is still up, and runs',
    'ssh into it as root: a login shell, or the command given after --. The pilot that kept the machine must still be',
    'waiting; its Ctrl-C ends the machine. A run id (scenario@profile) is looked for under --artifacts, newest first.',
  ].join('\n'),
  flags: {
    artifacts: { value: 'DIR', description: 'the base folder `pilot run --artifacts` was given', default: './artifacts' },
    print: { description: 'print the ssh command line instead of running it' },
  },
  epilogue: 'exit codes: ssh\'s own (the remote command\'s, 255 when ssh itself failed); 2 when the run kept no machine or it has ended',
});
