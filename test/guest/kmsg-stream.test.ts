// The kernel-log stream after close(): records the ssh channel still delivers are dropped, not written to the ended
// log file (which would throw ERR_STREAM_WRITE_AFTER_END from the file stream and kill pilot).
import { EventEmitter } from 'node:events';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Client } from 'ssh2';
import { describe, expect, it } from 'vitest';
import { KmsgStream } from '../../harness/guest/kmsg-stream.ts';

class FakeChannel extends EventEmitter {
  close(): void {
    // A real channel closes later: data may still be on its way.
  }
}

describe('KmsgStream', () => {
  it('drops records that arrive after close() instead of writing to the ended log', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'pilot-kmsg-'));
    try {
      const channel = new FakeChannel();
      const client = { exec: (_command: string, callback: (error: Error | undefined, channel: FakeChannel) => void) => callback(undefined, channel) } as unknown as Client;
      const log = join(dir, 'dmesg.log');
      const stream = new KmsgStream(client, async () => ({ code: 0, stdout: '', stderr: '' }) as never, log);
      await stream.start();
      channel.emit('data', Buffer.from('6,1,1000,-;before close\n'));
      await stream.close();
      const errors: unknown[] = [];
      process.on('uncaughtException', (error) => errors.push(error));
      channel.emit('data', Buffer.from('6,2,2000,-;after close\n'));
      await new Promise((resolve) => setTimeout(resolve, 50));
      expect(errors).toEqual([]);
      expect(stream.records.map((record) => record.text)).toEqual(['before close']);
      expect(await readFile(log, 'utf8')).toContain('before close');
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
