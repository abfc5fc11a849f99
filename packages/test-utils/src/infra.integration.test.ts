import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { baseImage, redisAnswers, skipWithoutDocker, skipWithoutRedis } from './index.js';

const run = promisify(execFile);

// The infrastructure CI promises: a real engine with the base image, and Redis on loopback.
describe.skipIf(await skipWithoutDocker())('docker engine', () => {
  it('runs `true` in a network-less container from the base image', async () => {
    const { stdout } = await run('docker', [
      'run',
      '--rm',
      '--network',
      'none',
      baseImage,
      'sh',
      '-c',
      'ls /sys/class/net && echo ran',
    ]);
    expect(stdout.trim().split('\n')).toEqual(['lo', 'ran']);
  });
});

describe.skipIf(await skipWithoutRedis())('redis', () => {
  it('answers PING, and a dead port does not', async () => {
    expect(await redisAnswers()).toBe(true);
    expect(await redisAnswers('redis://127.0.0.1:1', 500)).toBe(false);
  });
});
