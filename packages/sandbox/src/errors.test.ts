import { describe, expect, it } from 'vitest';
import { ExecError, isEngineFault, SandboxError } from './errors.js';

const socketGone = Object.assign(new Error('connect ENOENT /run/docker.sock'), {
  code: 'ENOENT',
  syscall: 'connect',
});

describe('isEngineFault', () => {
  it('is true when the sandbox or its engine went away, however deep the cause', () => {
    expect(isEngineFault(new SandboxError('SANDBOX_LOST', 'container gone'))).toBe(true);
    expect(isEngineFault(new SandboxError('ENGINE_UNREACHABLE', 'no engine'))).toBe(true);
    expect(isEngineFault(new SandboxError('ENGINE_ERROR', 'create failed', { cause: socketGone }))).toBe(
      true,
    );
    const refused = Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' });
    expect(isEngineFault(new Error('episode failed', { cause: refused }))).toBe(true);
    expect(isEngineFault(new Error('wrapped', { cause: new SandboxError('SANDBOX_LOST', 'x') }))).toBe(true);
  });

  it('is false for what failed inside the sandbox, or on the host', () => {
    expect(isEngineFault(new ExecError('NONZERO_EXIT', 'exit 1', {} as never))).toBe(false);
    expect(isEngineFault(new SandboxError('TIMEOUT', 'slow'))).toBe(false);
    expect(isEngineFault(new SandboxError('ENGINE_ERROR', 'bad image name'))).toBe(false);
    // A missing file is not a missing socket.
    expect(isEngineFault(Object.assign(new Error('ENOENT'), { code: 'ENOENT', syscall: 'open' }))).toBe(
      false,
    );
    expect(isEngineFault(new SandboxError('FILE_NOT_FOUND', 'no file', { cause: socketGone }))).toBe(false);
    expect(isEngineFault('text')).toBe(false);
    expect(isEngineFault(undefined)).toBe(false);
  });
});
